package dev.ddsls.formats.pprof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Minimal protobuf wire encoder into a growable byte array: varints, length-delimited strings, nested messages
 * and packed repeated integers. Scalar fields equal to 0/false are omitted, as proto3 does.
 */
final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int LEN = 2;

  private byte[] buf;
  private int pos;

  ProtoWriter(int initialCapacity) { buf = new byte[Math.max(16, initialCapacity)]; }

  int size() { return pos; }

  byte[] toByteArray() { return Arrays.copyOf(buf, pos); }

  /** An int64 or uint64 field; negative int64 values take 10 bytes, as the wire format requires. */
  void int64(int field, long value) {
    if (value == 0) return;
    tag(field, VARINT);
    varint(value);
  }

  void bool(int field, boolean value) {
    if (!value) return;
    tag(field, VARINT);
    varint(1);
  }

  /** A string field, written even when empty: repeated strings (the string table) keep their position. */
  void string(int field, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    tag(field, LEN);
    varint(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  /** A packed repeated int64/uint64 field from {@code values[from, from+count)}; nothing when count is 0. */
  void packed(int field, long[] values, int from, int count) {
    if (count <= 0) return;
    int len = 0;
    for (int i = from; i < from + count; i++) len += varintSize(values[i]);
    tag(field, LEN);
    varint(len);
    for (int i = from; i < from + count; i++) varint(values[i]);
  }

  /** Starts a nested message; pass the returned mark to {@link #endMessage}. Nesting is allowed. */
  int startMessage(int field) {
    tag(field, LEN);
    ensure(1);
    return pos++; // one byte reserved for the length: most messages here are shorter than 128 bytes
  }

  void endMessage(int mark) {
    int len = pos - mark - 1;
    int n = varintSize(len);
    if (n > 1) {
      ensure(n - 1);
      System.arraycopy(buf, mark + 1, buf, mark + n, len);
      pos += n - 1;
    }
    int end = pos;
    pos = mark;
    varint(len);
    pos = end;
  }

  private void tag(int field, int wireType) { varint(((long) field << 3) | wireType); }

  void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  static int varintSize(long v) {
    if (v < 0) return 10;
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  private void ensure(int extra) {
    if (pos + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
  }
}
