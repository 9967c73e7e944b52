package dev.ddsls.collector;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Request bodies with a size limit, and responses. */
final class HttpIo {
  /** A body over the limit; nothing of it is kept. */
  static final class TooLarge extends Exception {
    TooLarge(String message) { super(message, null, false, false); }
  }

  private HttpIo() {}

  /**
   * Reads the whole body, at most {@code max} bytes. Past the limit the rest is read and dropped (up to a few
   * times the limit) so that the client, still sending, gets the 413 rather than a broken connection.
   */
  static byte[] body(HttpExchange ex, long max) throws IOException, TooLarge {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    long length = -1;
    if (declared != null) {
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        length = -1;
      }
    }
    InputStream in = ex.getRequestBody();
    if (length > max) {
      drain(in, 4 * max);
      throw new TooLarge("body of " + length + " bytes exceeds --max-body " + max);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length > 0 ? (int) length : 8192);
    byte[] buf = new byte[65536];
    for (int n; (n = in.read(buf)) > 0; ) {
      if (out.size() + (long) n > max) {
        drain(in, 3 * max);
        throw new TooLarge("body exceeds --max-body " + max + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static void drain(InputStream in, long limit) throws IOException {
    byte[] buf = new byte[65536];
    long total = 0;
    for (int n; total < limit && (n = in.read(buf)) > 0; ) total += n;
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    if (status == 413) ex.getResponseHeaders().set("Connection", "close");
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream os = ex.getResponseBody()) { os.write(body); }
    }
    ex.close();
  }

  static void json(HttpExchange ex, int status, String json) throws IOException {
    send(ex, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** A one-line plain-text answer, e.g. for errors. */
  static void text(HttpExchange ex, int status, String message) throws IOException {
    send(ex, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Query parameters (the last value wins). */
  static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = ex.getRequestURI().getRawQuery();
    if (q == null || q.isEmpty()) return out;
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }
}
