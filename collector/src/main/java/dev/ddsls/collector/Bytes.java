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

  byte[] toArray() { return Arrays.copyOf(buf, len); }
}
