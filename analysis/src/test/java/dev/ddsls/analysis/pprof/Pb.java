package dev.ddsls.analysis.pprof;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-rolled protobuf bytes for reader tests: unpacked fields, odd layouts and deliberate corruption. */
final class Pb {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Pb varint(int field, long value) {
    raw((long) field << 3);
    raw(value);
    return this;
  }

  Pb bytes(int field, byte[] b) {
    raw(((long) field << 3) | 2);
    raw(b.length);
    out.writeBytes(b);
    return this;
  }

  Pb string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

  Pb message(int field, Pb m) { return bytes(field, m.toBytes()); }

  Pb packed(int field, long... values) {
    Pb body = new Pb();
    for (long v : values) body.raw(v);
    return bytes(field, body.toBytes());
  }

  Pb strings(String... table) {
    for (String s : table) string(6, s);
    return this;
  }

  byte[] toBytes() { return out.toByteArray(); }

  private void raw(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
