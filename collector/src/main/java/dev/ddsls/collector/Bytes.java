package dev.ddsls.collector;

import java.util.Arrays;

/** A growable byte buffer without ByteArrayOutputStream's locks: the span encoders write millions of small pieces. */
final class Bytes {
  byte[] buf;
  int len;

  Bytes(int capacity) { buf = new byte[Math.max(16, capacity)]; }

  void ensure(int more) {
    if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
  }

  void put(int b) {
    if (len == buf.length) ensure(1);
    buf[len++] = (byte) b;
  }

  void put(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
  }

  void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
  }

  void long64(long v) {
    ensure(8);
    for (int i = 56; i >= 0; i -= 8) buf[len++] = (byte) (v >>> i);
  }

  /** A JSON string: the UTF-8 bytes of {@code s} with JSON escapes, between quotes. */
  void jsonString(String s) {
    int n = s.length();
    ensure(n + 2);
    buf[len++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          if (len == buf.length) ensure(1);
          buf[len++] = (byte) c;
        } else {
          escape(c);
        }
      } else if (c < 0x800) {
        ensure(2);
        buf[len++] = (byte) (0xc0 | (c >> 6));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        ensure(4);
        buf[len++] = (byte) (0xf0 | (cp >> 18));
        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        buf[len++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        escape(c); // unpaired: UTF-8 cannot carry it, a \\u escape can
      } else {
        ensure(3);
        buf[len++] = (byte) (0xe0 | (c >> 12));
        buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    put('"');
  }

  private void escape(char c) {
    ensure(6);
    buf[len++] = '\\';
    switch (c) {
      case '"': buf[len++] = '"'; return;
      case '\\': buf[len++] = '\\'; return;
      case '\n': buf[len++] = 'n'; return;
      case '\r': buf[len++] = 'r'; return;
      case '\t': buf[len++] = 't'; return;
      case '\b': buf[len++] = 'b'; return;
      case '\f': buf[len++] = 'f'; return;
      default:
        buf[len++] = 'u';
        for (int shift = 12; shift >= 0; shift -= 4) buf[len++] = (byte) Character.forDigit((c >> shift) & 0xf, 16);
    }
  }

  byte[] toArray() { return Arrays.copyOf(buf, len); }
}
