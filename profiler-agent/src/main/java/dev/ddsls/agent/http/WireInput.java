package dev.ddsls.agent.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The buffered input of one connection, read by one thread: unlike {@link java.io.BufferedInputStream} it takes no
 * lock per byte, and it reads a head's lines by scanning its buffer, not byte by byte. On the Runtime API proxy's
 * path every request and answer of every invocation goes through here (bench/ProxyHop.java).
 */
public final class WireInput extends InputStream {
  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int limit;

  public WireInput(InputStream in, int size) {
    this.in = in;
    this.buf = new byte[size];
  }

  @Override public int read() throws IOException {
    if (pos == limit && !fill()) return -1;
    return buf[pos++] & 0xff;
  }

  @Override public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    if (pos == limit) {
      if (len >= buf.length) return in.read(b, off, len); // a large body skips the copy
      if (!fill()) return -1;
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override public int available() throws IOException { return (limit - pos) + in.available(); }

  @Override public void close() throws IOException { in.close(); }

  /**
   * One line without its CRLF (a bare LF is accepted); null at end of stream only when {@code eofOk} and nothing was
   * read. Lines longer than {@code max} bytes are refused.
   */
  String readLine(int max, boolean eofOk) throws IOException {
    StringBuilder longLine = null; // only when a line spans refills
    for (;;) {
      if (pos == limit && !fill()) {
        if (eofOk && longLine == null) return null;
        throw new EOFException("connection closed mid-line");
      }
      int start = pos;
      int end = start;
      while (end < limit && buf[end] != '\n') end++;
      int have = (longLine == null ? 0 : longLine.length()) + (end - start);
      if (have > max) throw new IOException("line longer than " + max + " bytes");
      if (end < limit) { // found the LF
        pos = end + 1;
        int stop = end;
        String tail;
        if (longLine == null) {
          if (stop > start && buf[stop - 1] == '\r') stop--;
          return new String(buf, start, stop - start, StandardCharsets.ISO_8859_1);
        }
        tail = new String(buf, start, stop - start, StandardCharsets.ISO_8859_1);
        longLine.append(tail);
        int len = longLine.length();
        if (len > 0 && longLine.charAt(len - 1) == '\r') longLine.setLength(len - 1);
        return longLine.toString();
      }
      if (longLine == null) longLine = new StringBuilder(Math.max(64, 2 * (end - start)));
      longLine.append(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
      pos = limit;
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      pos = limit = 0;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }
}
