package dev.ddsls.agent.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The start line and header lines of one HTTP/1.1 message. Header lines are kept exactly as read (case,
 * spacing, order), so a relayed head is byte-identical except for the lines deliberately changed.
 */
public final class HttpHead {
  private final String startLine;
  private final ArrayList<String> lines = new ArrayList<>();

  public HttpHead(String startLine) { this.startLine = startLine; }

  /** The request or status line, e.g. {@code HTTP/1.1 200 OK}. */
  public String startLine() { return startLine; }

  public void add(String name, String value) { lines.add(name + ": " + value); }

  public void addLine(String rawLine) { lines.add(rawLine); }

  /** The first value of header {@code name} (case-insensitive), trimmed; null when absent. */
  public String get(String name) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (isNamed(line, name)) return line.substring(name.length() + 1).trim();
    }
    return null;
  }

  /** Replaces the first {@code name} line in place (others are removed), or appends one. */
  public void set(String name, String value) {
    int at = -1;
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (isNamed(lines.get(i), name)) {
        lines.remove(i);
        at = i;
      }
    }
    if (at < 0) lines.add(name + ": " + value);
    else lines.add(at, name + ": " + value);
  }

  public void remove(String name) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (isNamed(lines.get(i), name)) lines.remove(i);
    }
  }

  /** Whether header {@code name} lists {@code token} (comma-separated, case-insensitive), e.g. Connection: close. */
  public boolean hasToken(String name, String token) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!isNamed(line, name)) continue;
      String[] parts = line.substring(name.length() + 1).split(",");
      for (String part : parts) {
        if (part.trim().equalsIgnoreCase(token)) return true;
      }
    }
    return false;
  }

  /** All headers with lower-cased names; the first of repeated names wins. */
  public Map<String, String> headerMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int colon = line.indexOf(':');
      if (colon <= 0) continue;
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (!map.containsKey(name)) map.put(name, line.substring(colon + 1).trim());
    }
    return map;
  }

  /** Request method, e.g. {@code GET}. */
  public String method() {
    int sp = startLine.indexOf(' ');
    return sp < 0 ? startLine : startLine.substring(0, sp);
  }

  /** Request target without the query string, e.g. {@code /2018-06-01/runtime/invocation/next}. */
  public String path() {
    int a = startLine.indexOf(' ');
    int b = startLine.indexOf(' ', a + 1);
    String target = a < 0 ? "" : b < 0 ? startLine.substring(a + 1) : startLine.substring(a + 1, b);
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** Response status code; -1 when the start line is not a status line. */
  public int status() {
    int sp = startLine.indexOf(' ');
    if (!startLine.startsWith("HTTP/") || sp < 0 || startLine.length() < sp + 4) return -1;
    try {
      return Integer.parseInt(startLine.substring(sp + 1, sp + 4));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether this message lets its connection stay open afterwards (HTTP/1.1 and no {@code Connection: close}). */
  public boolean keepsAlive() {
    boolean http10 = startLine.startsWith("HTTP/1.0") || startLine.endsWith("HTTP/1.0");
    return !http10 && !hasToken("Connection", "close");
  }

  /** Body framing of a request: {@link HttpIo#CHUNKED}, or a byte count (0 = no body). */
  public long requestBodyLength() throws IOException {
    if (isChunked()) return HttpIo.CHUNKED;
    return contentLength(0);
  }

  /** Body framing of a response to {@code requestMethod}: chunked, a byte count, or {@link HttpIo#UNTIL_CLOSE}. */
  public long responseBodyLength(String requestMethod) throws IOException {
    int status = status();
    if ("HEAD".equals(requestMethod) || status < 200 || status == 204 || status == 304) return 0;
    if (isChunked()) return HttpIo.CHUNKED;
    return contentLength(HttpIo.UNTIL_CLOSE);
  }

  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder(startLine.length() + 32 * lines.size() + 4);
    sb.append(startLine).append("\r\n");
    for (int i = 0; i < lines.size(); i++) sb.append(lines.get(i)).append("\r\n");
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private boolean isChunked() {
    String te = get("Transfer-Encoding");
    return te != null && te.toLowerCase(Locale.ROOT).endsWith("chunked");
  }

  private long contentLength(long absent) throws IOException {
    String cl = get("Content-Length");
    if (cl == null) return absent;
    try {
      long n = Long.parseLong(cl);
      if (n >= 0) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("bad Content-Length: " + cl);
  }

  private static boolean isNamed(String line, String name) {
    return line.length() > name.length() && line.charAt(name.length()) == ':' && line.regionMatches(true, 0, name, 0, name.length());
  }
}
