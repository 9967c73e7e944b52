package dev.ddsls.agent.lambda;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/** Test-side HTTP/1.1 message reader, written independently of the proxy's HttpIo: keeps the exact raw bytes. */
final class RawHttp {
  final byte[] raw;
  final String head;
  final byte[] body;

  private RawHttp(byte[] raw, String head, byte[] body) {
    this.raw = raw;
    this.head = head;
    this.body = body;
  }

  String startLine() { return head.substring(0, head.indexOf("\r\n")); }

  /** First value of a header, case-insensitive; null when absent. */
  String header(String name) {
    for (String line : head.split("\r\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) return line.substring(c + 1).trim();
    }
    return null;
  }

  String text() { return new String(body, StandardCharsets.UTF_8); }

  /** Reads one message; null on EOF before its first byte. {@code onChunk} sees each decoded chunk as it arrives. */
  static RawHttp read(InputStream in, boolean bodyless, Consumer<byte[]> onChunk) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    String head = readHead(in, raw);
    if (head == null) return null;
    RawHttp h = new RawHttp(null, head, null);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String te = h.header("Transfer-Encoding");
    String cl = h.header("Content-Length");
    if (bodyless) {
      // no body
    } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      for (;;) {
        String line = line(in, raw);
        int size = Integer.parseInt(line.split(";")[0].trim(), 16);
        if (size == 0) break;
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) throw new EOFException();
        raw.write(chunk);
        body.write(chunk);
        if (onChunk != null) onChunk.accept(chunk);
        if (!line(in, raw).isEmpty()) throw new IOException("no CRLF after chunk");
      }
      while (!line(in, raw).isEmpty()) {
        // trailers
      }
    } else if (cl != null) {
      byte[] b = in.readNBytes(Integer.parseInt(cl));
      raw.write(b);
      body.write(b);
    }
    return new RawHttp(raw.toByteArray(), head, body.toByteArray());
  }

  private static String readHead(InputStream in, ByteArrayOutputStream raw) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (;;) {
      int c = in.read();
      if (c < 0) {
        if (sb.length() == 0) return null;
        throw new EOFException("mid-head");
      }
      raw.write(c);
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) return sb.toString();
    }
  }

  private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (;;) {
      int c = in.read();
      if (c < 0) throw new EOFException("mid-line");
      raw.write(c);
      if (c == '\n') return sb.substring(0, sb.length() - 1);
      sb.append((char) c);
    }
  }

  static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
