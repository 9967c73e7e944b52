package dev.ddsls.collector;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Responses and query parameters. */
final class HttpIo {
  private HttpIo() {}

  static void send(Exchange ex, int status, String contentType, byte[] body) {
    ex.send(status, contentType, body);
  }

  static void json(Exchange ex, int status, String json) {
    send(ex, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** A one-line plain-text answer, e.g. for errors. */
  static void text(Exchange ex, int status, String message) {
    send(ex, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Query parameters (the last value wins). */
  static Map<String, String> query(Exchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = ex.rawQuery();
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

  /** Refuses a parameter the endpoint does not know, so a misspelt filter is not silently ignored. */
  static void known(Map<String, String> q, Set<String> known, String path) {
    for (String k : q.keySet()) {
      if (!known.contains(k)) throw new IllegalArgumentException("unknown parameter " + k + " for " + path + "; it takes " + String.join(", ", known));
    }
  }
}
