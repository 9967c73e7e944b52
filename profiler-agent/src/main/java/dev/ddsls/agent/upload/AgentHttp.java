package dev.ddsls.agent.upload;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A tiny HTTP/1.1 client: one request per connection ({@code Connection: close}), a Content-Length body, the
 * whole exchange bounded by a deadline. http and https (the JDK's default trust store, host name verified).
 */
public final class AgentHttp {
  /** The largest response body kept; the rest is not read. */
  static final int MAX_RESPONSE_BODY = 64 * 1024;
  private static final int MAX_LINE = 8192;
  private static final int MAX_HEADERS = 100;

  /** A status code and the (possibly truncated) body, decoded as UTF-8. */
  public static final class Response {
    public final int status;
    public final String body;

    Response(int status, String body) {
      this.status = status;
      this.body = body;
    }

    public boolean ok() { return status >= 200 && status < 300; }
  }

  private AgentHttp() {}

  /**
   * Sends one request and reads the answer, or throws once {@code deadlineNanos} (a {@link System#nanoTime()}
   * value) has passed ({@link SocketTimeoutException}). Throws nothing but IOException.
   *
   * @param headerNamesAndValues name, value, name, value...; a null value leaves the header out
   * @param body sent with Content-Length; may be null (no body)
   */
  public static Response send(String method, String url, String[] headerNamesAndValues, byte[] body, long deadlineNanos)
      throws IOException {
    try {
      return exchange(method, url, headerNamesAndValues, body, deadlineNanos);
    } catch (IOException e) {
      throw e;
    } catch (RuntimeException e) {
      // Bad URLs, unresolved addresses, TLS set-up problems: the caller handles one exception type.
      throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static Response exchange(String method, String url, String[] headers, byte[] body, long deadline) throws IOException {
    boolean tls;
    String rest;
    if (url.regionMatches(true, 0, "http://", 0, 7)) { tls = false; rest = url.substring(7); }
    else if (url.regionMatches(true, 0, "https://", 0, 8)) { tls = true; rest = url.substring(8); }
    else throw new IOException("not an http(s) URL: " + url);

    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "/" : rest.substring(slash);
    String host;
    int port = tls ? 443 : 80;
    int colon = authority.lastIndexOf(':');
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) throw new IOException("bad host in URL: " + url);
      host = authority.substring(1, close);
      if (close + 1 < authority.length() && authority.charAt(close + 1) == ':') port = parsePort(authority.substring(close + 2), url);
    } else if (colon >= 0) {
      host = authority.substring(0, colon);
      port = parsePort(authority.substring(colon + 1), url);
    } else {
      host = authority;
    }
    if (host.isEmpty()) throw new IOException("no host in URL: " + url);

    Socket raw = new Socket();
    DeadlineCloser.Entry guard = DeadlineCloser.arm(raw, deadline);
    try {
      raw.connect(new InetSocketAddress(host, port), remainingMillis(deadline));
      Socket s = raw;
      if (tls) {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(raw, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        s = ssl;
      }
      writeRequest(s.getOutputStream(), method, host, port, tls, path, headers, body);
      return readResponse(s, new BufferedInputStream(s.getInputStream(), 8192), deadline);
    } catch (IOException e) {
      if (guard.fired || System.nanoTime() - deadline >= 0) {
        SocketTimeoutException t = new SocketTimeoutException("deadline passed (" + e.getMessage() + ")");
        t.initCause(e);
        throw t;
      }
      throw e;
    } finally {
      DeadlineCloser.disarm(guard);
      try {
        raw.close();
      } catch (IOException ignored) {
        // closing after use
      }
    }
  }

  private static int parsePort(String s, String url) throws IOException {
    try {
      int p = Integer.parseInt(s);
      if (p > 0 && p < 65536) return p;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IOException("bad port in URL: " + url);
  }

  /** Milliseconds left, at least 1 (a socket timeout of 0 would mean "forever"). */
  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) throw new SocketTimeoutException("deadline passed");
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
  }

  private static void writeRequest(OutputStream out, String method, String host, int port, boolean tls, String path,
      String[] headers, byte[] body) throws IOException {
    StringBuilder h = new StringBuilder(256);
    h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    h.append("Host: ").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host);
    if (port != (tls ? 443 : 80)) h.append(':').append(port);
    h.append("\r\n");
    if (headers != null) {
      for (int i = 0; i + 1 < headers.length; i += 2) {
        if (headers[i + 1] == null) continue;
        h.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
    }
    h.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
    h.append("Connection: close\r\n\r\n");
    // Header and body go out together: small requests leave in one segment.
    byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
    int bodyLength = body == null ? 0 : body.length;
    if (bodyLength <= 64 * 1024) {
      byte[] all = new byte[head.length + bodyLength];
      System.arraycopy(head, 0, all, 0, head.length);
      if (bodyLength > 0) System.arraycopy(body, 0, all, head.length, bodyLength);
      out.write(all);
    } else {
      out.write(head);
      out.write(body);
    }
    out.flush();
  }

  private static Response readResponse(Socket s, InputStream in, long deadline) throws IOException {
    int status;
    long contentLength = -1;
    boolean chunked = false;
    while (true) {
      s.setSoTimeout(remainingMillis(deadline));
      String statusLine = readLine(in);
      if (statusLine == null) throw new IOException("connection closed before the status line");
      status = parseStatus(statusLine);
      for (int i = 0; ; i++) {
        if (i > MAX_HEADERS) throw new IOException("too many response headers");
        String line = readLine(in);
        if (line == null) throw new IOException("connection closed in the response headers");
        if (line.isEmpty()) break;
        int colon = line.indexOf(':');
        if (colon <= 0) continue;
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          try {
            contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + value);
          }
        } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
      if (status >= 200) break; // 1xx: an interim answer; the real one follows
    }
    if (status == 204 || status == 304) return new Response(status, "");

    ByteArrayOutputStream bodyOut = new ByteArrayOutputStream(256);
    if (chunked) {
      while (bodyOut.size() < MAX_RESPONSE_BODY) {
        s.setSoTimeout(remainingMillis(deadline));
        String sizeLine = readLine(in);
        if (sizeLine == null) break;
        int semi = sizeLine.indexOf(';');
        long chunk;
        try {
          chunk = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size: " + sizeLine);
        }
        if (chunk == 0) break;
        copy(s, in, bodyOut, chunk, deadline);
        readLine(in); // CRLF after the chunk data
      }
    } else {
      copy(s, in, bodyOut, contentLength < 0 ? Long.MAX_VALUE : contentLength, deadline);
    }
    return new Response(status, new String(bodyOut.toByteArray(), StandardCharsets.UTF_8));
  }

  /** Copies up to {@code n} bytes, stopping at end of stream or when the kept body reaches its cap. */
  private static void copy(Socket s, InputStream in, ByteArrayOutputStream out, long n, long deadline) throws IOException {
    byte[] buf = new byte[4096];
    long left = n;
    while (left > 0 && out.size() < MAX_RESPONSE_BODY) {
      s.setSoTimeout(remainingMillis(deadline));
      int want = (int) Math.min(Math.min(buf.length, left), MAX_RESPONSE_BODY - out.size());
      int r = in.read(buf, 0, want);
      if (r < 0) return;
      out.write(buf, 0, r);
      left -= r;
    }
  }

  private static int parseStatus(String line) throws IOException {
    // "HTTP/1.1 200 OK"
    if (!line.startsWith("HTTP/")) throw new IOException("not an HTTP response: " + abbreviate(line));
    int sp = line.indexOf(' ');
    if (sp < 0 || line.length() < sp + 4) throw new IOException("bad status line: " + abbreviate(line));
    try {
      return Integer.parseInt(line.substring(sp + 1, sp + 4));
    } catch (NumberFormatException e) {
      throw new IOException("bad status line: " + abbreviate(line));
    }
  }

  /** One line without its CR LF, or null at end of stream before any byte. ISO-8859-1, as HTTP headers are. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) return sb.length() == 0 ? null : sb.toString();
      if (c == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
        return sb.toString();
      }
      if (sb.length() >= MAX_LINE) throw new IOException("response line over " + MAX_LINE + " bytes");
      sb.append((char) c);
    }
  }

  private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
