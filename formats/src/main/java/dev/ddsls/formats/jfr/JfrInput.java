package dev.ddsls.formats.jfr;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over a JFR file held in memory: big-endian fixed-width numbers and JFR's LEB128 varints and strings.
 * Reading past the end throws {@link ArrayIndexOutOfBoundsException}; {@link JfrParser} reports it as truncation.
 */
final class JfrInput {
  final byte[] buf;
  int pos;

  JfrInput(byte[] buf) {
    this.buf = buf;
  }

  int i4() {
    int v = (buf[pos] & 0xff) << 24 | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8 | buf[pos + 3] & 0xff;
    pos += 4;
    return v;
  }

  long i8() { return (long) i4() << 32 | i4() & 0xffffffffL; }

  /** JFR's compressed integer: 7 bits a byte, low bits first; the ninth byte carries 8 bits. */
  long varlong() {
    long v = 0;
    for (int shift = 0; shift < 56; shift += 7) {
      byte b = buf[pos++];
      v |= (long) (b & 0x7f) << shift;
      if (b >= 0) return v;
    }
    return v | (long) (buf[pos++] & 0xff) << 56;
  }

  int varint() { return (int) varlong(); }

  /**
   * A count of values that follow (array elements, pool entries, strings): each takes at least one byte, so a count
   * above the bytes left is a corrupt or hostile file, refused before anything is allocated or looped over.
   */
  int count(String what) {
    long n = varlong();
    if (n < 0 || n > buf.length - pos) {
      throw new IllegalStateException(what + " of " + n + " at byte " + pos + " exceeds the " + (buf.length - pos) + " bytes left (truncated or corrupt?)");
    }
    return (int) n;
  }

  /**
   * A string in JFR's encoding (tag byte: 0 null, 1 empty, 2 constant pool reference, 3 UTF-8, 4 char array,
   * 5 Latin-1). A constant-pool reference resolves through {@code pool} (null: reference not supported here).
   */
  String string(LongMap<String> pool) {
    byte tag = buf[pos++];
    switch (tag) {
      case 0: return null;
      case 1: return "";
      case 2: return pool == null ? null : pool.get(varlong());
      case 3: case 5: {
        int n = count("string length");
        String s = new String(buf, pos, n, tag == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        pos += n;
        return s;
      }
      case 4: {
        char[] c = new char[count("string length")];
        for (int i = 0; i < c.length; i++) c[i] = (char) varint();
        return new String(c);
      }
      default: throw new IllegalStateException("unknown string encoding " + tag + " at byte " + (pos - 1));
    }
  }

  void skipString() {
    byte tag = buf[pos++];
    switch (tag) {
      case 0: case 1: return;
      case 2: varlong(); return;
      case 3: case 5: {
        int n = count("string length"); // read before pos is: count() moves it past the length
        pos += n;
        return;
      }
      case 4: for (int n = count("string length"); n > 0; n--) varint(); return;
      default: throw new IllegalStateException("unknown string encoding " + tag + " at byte " + (pos - 1));
    }
  }
}
