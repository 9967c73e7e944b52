package dev.ddsls.agent.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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

  /** A status code and the (possibly truncated) body, decoded as UTF-8. */
  public record Response(int status, String body) {
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
      return readResponse(s, new BufferedInputStream(s.getInputStream(), 8192), method, deadline);
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

  private static Response readResponse(Socket s, InputStream in, String method, long deadline) throws IOException {
    HttpHead head;
    do { // 1xx: an interim answer; the real one follows
      s.setSoTimeout(remainingMillis(deadline));
      head = HttpIo.readHead(in);
      if (head == null) throw new IOException("connection closed before the status line");
      if (head.status() < 0) throw new IOException("not an HTTP response: " + abbreviate(head.startLine()));
    } while (head.status() < 200);
    // The body is read to its end (the deadline closes a socket that never ends it); only the first bytes are kept.
    CappedBuffer body = new CappedBuffer(MAX_RESPONSE_BODY);
    s.setSoTimeout(remainingMillis(deadline));
    HttpIo.relayBody(in, head.responseBodyLength(method), null, body);
    return new Response(head.status(), new String(body.toByteArray(), StandardCharsets.UTF_8));
  }

  private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
