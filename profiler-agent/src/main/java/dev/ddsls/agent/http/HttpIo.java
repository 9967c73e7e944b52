package dev.ddsls.agent.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 wire code shared by the Runtime API proxy and the extension client: reading heads, relaying
 * bodies (Content-Length, chunked, or until close) and connecting to the Runtime API. Streams passed in are
 * expected to be buffered.
 */
public final class HttpIo {
  /** Body length meaning {@code Transfer-Encoding: chunked}. */
  public static final long CHUNKED = -1;
  /** Body length meaning "until the connection closes" (a response with neither length nor chunking). */
  public static final long UNTIL_CLOSE = -2;

  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_HEADERS = 256;
  private static final int CONNECT_TIMEOUT_MS = 3000;
  private static final byte[] CRLF = {'\r', '\n'};

  private HttpIo() {}

  /** Reads a start line and header lines; null when the stream ends before the first byte (peer closed an idle connection). */
  public static HttpHead readHead(InputStream in) throws IOException {
    String start = readLine(in, true);
    if (start == null) return null;
    while (start.isEmpty()) { // RFC 9112 2.2: ignore empty lines before a request line
      start = readLine(in, true);
      if (start == null) return null;
    }
    HttpHead head = new HttpHead(start);
    for (int n = 0; ; n++) {
      String line = readLine(in, false);
      if (line.isEmpty()) return head;
      if (n == MAX_HEADERS) throw new IOException("more than " + MAX_HEADERS + " header lines");
      head.addLine(line);
    }
  }

  /**
   * Moves one body of {@code length} ({@link #CHUNKED}, {@link #UNTIL_CLOSE} or a byte count) from {@code in} to
   * {@code raw} exactly as framed on the wire (chunk lines and trailers included), and its decoded bytes to
   * {@code decoded}. Either output may be null. Chunks are flushed as they pass, so streamed bodies keep streaming.
   * Returns the number of decoded body bytes.
   */
  public static long relayBody(InputStream in, long length, OutputStream raw, OutputStream decoded) throws IOException {
    return relayBody(in, length, raw, decoded, length == 0 ? null : new byte[16 * 1024]);
  }

  /** As {@link #relayBody(InputStream, long, OutputStream, OutputStream)}, copying through {@code buf}, the caller's own. */
  public static long relayBody(InputStream in, long length, OutputStream raw, OutputStream decoded, byte[] buf) throws IOException {
    if (length == 0) return 0;
    if (length > 0) {
      copy(in, length, raw, decoded, buf);
      return length;
    }
    if (length == UNTIL_CLOSE) return copy(in, Long.MAX_VALUE, raw, decoded, buf);
    long total = 0;
    for (;;) {
      String sizeLine = readLine(in, false);
      writeLine(raw, sizeLine);
      long size = chunkSize(sizeLine);
      if (size == 0) break;
      copy(in, size, raw, decoded, buf);
      total += size;
      if (!readLine(in, false).isEmpty()) throw new IOException("chunk not followed by CRLF");
      writeLine(raw, "");
      if (raw != null) raw.flush();
    }
    for (;;) { // trailer section, ended by an empty line
      String trailer = readLine(in, false);
      writeLine(raw, trailer);
      if (trailer.isEmpty()) return total;
    }
  }

  /** Parses {@code host:port} (or {@code [v6]:port}). */
  public static InetSocketAddress address(String hostPort) throws IOException {
    int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
    if (colon <= 0) throw new IOException("not host:port: " + hostPort);
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port > 0 && port < 65536) return new InetSocketAddress(host, port);
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("not host:port: " + hostPort);
  }

  /** A connection without read timeout (the Runtime API's next calls block until an event comes). */
  public static Socket connect(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true); // small heads and chunks must not wait for delayed ACKs
      s.connect(address, CONNECT_TIMEOUT_MS);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static long copy(InputStream in, long n, OutputStream raw, OutputStream decoded, byte[] buf) throws IOException {
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        if (n == Long.MAX_VALUE) return n - left;
        throw new EOFException("body ended " + left + " bytes early");
      }
      if (raw != null) raw.write(buf, 0, r);
      if (decoded != null) decoded.write(buf, 0, r);
      left -= r;
    }
    return n;
  }

  private static long chunkSize(String line) throws IOException {
    int semi = line.indexOf(';');
    String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
    try {
      long size = Long.parseLong(hex, 16);
      if (size >= 0) return size;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("bad chunk size line: " + line);
  }

  private static void writeLine(OutputStream out, String line) throws IOException {
    if (out == null) return;
    if (!line.isEmpty()) out.write(line.getBytes(StandardCharsets.ISO_8859_1));
    out.write(CRLF);
  }

  /** One line without its CRLF (a bare LF is accepted); null at end of stream only when {@code eofOk} and nothing was read. */
  private static String readLine(InputStream in, boolean eofOk) throws IOException {
    if (in instanceof WireInput) return ((WireInput) in).readLine(MAX_LINE, eofOk);
    StringBuilder sb = new StringBuilder(64);
    for (;;) {
      int c = in.read();
      if (c < 0) {
        if (eofOk && sb.length() == 0) return null;
        throw new EOFException("connection closed mid-line");
      }
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') sb.setLength(len - 1);
        return sb.toString();
      }
      if (sb.length() == MAX_LINE) throw new IOException("line longer than " + MAX_LINE + " bytes");
      sb.append((char) c);
    }
  }
}
