package dev.ddsls.agent.upload;

import java.nio.charset.StandardCharsets;

/** A minimal MessagePack encoder into a growable byte buffer, always choosing the smallest encoding. */
final class MsgPackWriter {
  private byte[] buf;
  private int size;

  MsgPackWriter() { this(1024); }

  MsgPackWriter(int initialCapacity) { buf = new byte[Math.max(16, initialCapacity)]; }

  MsgPackWriter nil() { ensure(1); buf[size++] = (byte) 0xc0; return this; }

  MsgPackWriter bool(boolean b) { ensure(1); buf[size++] = (byte) (b ? 0xc3 : 0xc2); return this; }

  /** A signed integer. */
  MsgPackWriter int64(long v) {
    if (v >= 0) return uint64(v);
    if (v >= -32) { ensure(1); buf[size++] = (byte) v; }
    else if (v >= Byte.MIN_VALUE) { ensure(2); buf[size++] = (byte) 0xd0; buf[size++] = (byte) v; }
    else if (v >= Short.MIN_VALUE) { ensure(3); buf[size++] = (byte) 0xd1; be(v, 2); }
    else if (v >= Integer.MIN_VALUE) { ensure(5); buf[size++] = (byte) 0xd2; be(v, 4); }
    else { ensure(9); buf[size++] = (byte) 0xd3; be(v, 8); }
    return this;
  }

  /** An unsigned 64-bit integer: a negative {@code long} stands for a value of 2^63 or more. */
  MsgPackWriter uint64(long v) {
    if (v < 0) { ensure(9); buf[size++] = (byte) 0xcf; be(v, 8); }
    else if (v < 128) { ensure(1); buf[size++] = (byte) v; }
    else if (v < 256) { ensure(2); buf[size++] = (byte) 0xcc; buf[size++] = (byte) v; }
    else if (v < 65536) { ensure(3); buf[size++] = (byte) 0xcd; be(v, 2); }
    else if (v < 4294967296L) { ensure(5); buf[size++] = (byte) 0xce; be(v, 4); }
    else { ensure(9); buf[size++] = (byte) 0xcf; be(v, 8); }
    return this;
  }

  MsgPackWriter float64(double d) {
    ensure(9);
    buf[size++] = (byte) 0xcb;
    be(Double.doubleToLongBits(d), 8);
    return this;
  }

  /** A UTF-8 string; {@code null} is written as nil. */
  MsgPackWriter str(String s) {
    if (s == null) return nil();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    if (n < 32) { ensure(1 + n); buf[size++] = (byte) (0xa0 | n); }
    else if (n < 256) { ensure(2 + n); buf[size++] = (byte) 0xd9; buf[size++] = (byte) n; }
    else if (n < 65536) { ensure(3 + n); buf[size++] = (byte) 0xda; be(n, 2); }
    else { ensure(5 + n); buf[size++] = (byte) 0xdb; be(n, 4); }
    System.arraycopy(b, 0, buf, size, n);
    size += n;
    return this;
  }

  MsgPackWriter bin(byte[] b) {
    int n = b.length;
    if (n < 256) { ensure(2 + n); buf[size++] = (byte) 0xc4; buf[size++] = (byte) n; }
    else if (n < 65536) { ensure(3 + n); buf[size++] = (byte) 0xc5; be(n, 2); }
    else { ensure(5 + n); buf[size++] = (byte) 0xc6; be(n, 4); }
    System.arraycopy(b, 0, buf, size, n);
    size += n;
    return this;
  }

  MsgPackWriter arrayHeader(int n) { return header(n, 0x90, 0xdc, 0xdd); }

  MsgPackWriter mapHeader(int n) { return header(n, 0x80, 0xde, 0xdf); }

  int size() { return size; }

  byte[] toByteArray() {
    byte[] out = new byte[size];
    System.arraycopy(buf, 0, out, 0, size);
    return out;
  }

  private MsgPackWriter header(int n, int fix, int h16, int h32) {
    if (n < 0) throw new IllegalArgumentException("negative length " + n);
    if (n < 16) { ensure(1); buf[size++] = (byte) (fix | n); }
    else if (n < 65536) { ensure(3); buf[size++] = (byte) h16; be(n, 2); }
    else { ensure(5); buf[size++] = (byte) h32; be(n, 4); }
    return this;
  }

  /** The low {@code bytes} bytes of {@code v}, big-endian. */
  private void be(long v, int bytes) {
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) buf[size++] = (byte) (v >>> shift);
  }

  private void ensure(int more) {
    if (size + more <= buf.length) return;
    long want = Math.max((long) buf.length * 2, (long) size + more);
    if (want > Integer.MAX_VALUE - 8) throw new OutOfMemoryError("msgpack buffer over 2 GiB");
    byte[] bigger = new byte[(int) want];
    System.arraycopy(buf, 0, bigger, 0, size);
    buf = bigger;
  }
}
