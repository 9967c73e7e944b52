package dev.ddsls.collector;

import java.nio.charset.StandardCharsets;

/**
 * Reads the msgpack format (https://github.com/msgpack/msgpack/blob/master/spec.md) from a byte array.
 * Lenient where the Datadog Agent is (nil reads as "" or 0, any integer width is accepted), strict about
 * truncation and types: every failure names the field and the byte offset.
 */
final class MsgpackReader {
  private final byte[] b;
  private int pos;

  MsgpackReader(byte[] b) { this.b = b; }

  int position() { return pos; }

  boolean atEnd() { return pos >= b.length; }

  int readArrayHeader(String what) throws Malformed {
    int at = pos;
    int t = u8(what);
    long n;
    if (t >= 0x90 && t <= 0x9f) n = t & 0x0f;
    else if (t == 0xdc) n = u16(what);
    else if (t == 0xdd) n = u32(what);
    else throw wrongType(what, "an array", t, at);
    return count(n, what);
  }

  int readMapHeader(String what) throws Malformed {
    int at = pos;
    int t = u8(what);
    long n;
    if (t >= 0x80 && t <= 0x8f) n = t & 0x0f;
    else if (t == 0xde) n = u16(what);
    else if (t == 0xdf) n = u32(what);
    else if (t == 0xc0) n = 0;
    else throw wrongType(what, "a map", t, at);
    // A key and a value: at least two bytes an entry.
    if (n > (b.length - pos) / 2) throw new Malformed(what + ": map of " + n + " entries exceeds the " + (b.length - pos) + " bytes left at byte " + pos);
    return (int) n;
  }

  /** Reads a str (or bin, which some tracers use for strings); nil reads as "". */
  String readString(String what) throws Malformed {
    int at = pos;
    int t = u8(what);
    long n;
    if (t >= 0xa0 && t <= 0xbf) n = t & 0x1f;
    else if (t == 0xd9 || t == 0xc4) n = u8(what);
    else if (t == 0xda || t == 0xc5) n = u16(what);
    else if (t == 0xdb || t == 0xc6) n = u32(what);
    else if (t == 0xc0) return "";
    else throw wrongType(what, "a string", t, at);
    need((int) Math.min(n, Integer.MAX_VALUE), what);
    String s = new String(b, pos, (int) n, StandardCharsets.UTF_8);
    pos += (int) n;
    return s;
  }

  /** Reads an integer as the unsigned 64-bit pattern (ids); negative values are refused. */
  long readUnsigned(String what) throws Malformed {
    int at = pos;
    long v = readInteger(what, true);
    if (v < 0 && b[at] != (byte) 0xcf) throw new Malformed(what + ": negative integer " + v + " at byte " + at);
    return v;
  }

  /** Reads a signed 64-bit integer; a uint64 above Long.MAX_VALUE is refused. */
  long readSigned(String what) throws Malformed {
    int at = pos;
    long v = readInteger(what, false);
    if (v < 0 && b[at] == (byte) 0xcf) throw new Malformed(what + ": integer out of range at byte " + at);
    return v;
  }

  /** Reads a float32/float64 or any integer as a double. */
  double readDouble(String what) throws Malformed {
    int at = pos;
    int t = peek(what);
    if (t == 0xca) { pos++; return Float.intBitsToFloat((int) u32(what)); }
    if (t == 0xcb) { pos++; return Double.longBitsToDouble(u64(what)); }
    if (isInteger(t) || t == 0xc0) {
      boolean unsigned = t == 0xcf;
      long v = readInteger(what, false);
      return unsigned && v < 0 ? (v >>> 1) * 2.0 + (v & 1) : v;
    }
    throw wrongType(what, "a number", t, at);
  }

  /** Skips one complete value, nested or not, without recursion. */
  void skip(String what) throws Malformed {
    long pending = 1;
    while (pending-- > 0) {
      int at = pos;
      int t = u8(what);
      if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) continue;
      if (t <= 0x8f) { pending += 2L * (t & 0x0f); continue; }
      if (t <= 0x9f) { pending += t & 0x0f; continue; }
      if (t <= 0xbf) { advance(t & 0x1f, what); continue; }
      switch (t) {
        case 0xc4: case 0xd9: advance(u8(what), what); break;
        case 0xc5: case 0xda: advance(u16(what), what); break;
        case 0xc6: case 0xdb: advance(u32(what), what); break;
        case 0xc7: advance(u8(what) + 1L, what); break;
        case 0xc8: advance(u16(what) + 1L, what); break;
        case 0xc9: advance(u32(what) + 1L, what); break;
        case 0xca: advance(4, what); break;
        case 0xcb: advance(8, what); break;
        case 0xcc: case 0xd0: advance(1, what); break;
        case 0xcd: case 0xd1: advance(2, what); break;
        case 0xce: case 0xd2: advance(4, what); break;
        case 0xcf: case 0xd3: advance(8, what); break;
        case 0xd4: advance(2, what); break;
        case 0xd5: advance(3, what); break;
        case 0xd6: advance(5, what); break;
        case 0xd7: advance(9, what); break;
        case 0xd8: advance(17, what); break;
        case 0xdc: pending += count(u16(what), what); break;
        case 0xdd: pending += count(u32(what), what); break;
        case 0xde: pending += 2L * count(u16(what), what); break;
        case 0xdf: pending += 2L * count(u32(what), what); break;
        default: throw new Malformed(what + ": invalid msgpack type byte 0x" + Integer.toHexString(t) + " at byte " + at);
      }
    }
  }

  private long readInteger(String what, boolean unsigned) throws Malformed {
    int at = pos;
    int t = u8(what);
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return (byte) t;
    switch (t) {
      case 0xc0: return 0;
      case 0xcc: return u8(what);
      case 0xcd: return u16(what);
      case 0xce: return u32(what);
      case 0xcf: return u64(what);
      case 0xd0: return (byte) u8(what);
      case 0xd1: return (short) u16(what);
      case 0xd2: return (int) u32(what);
      case 0xd3: return u64(what);
      default: throw wrongType(what, unsigned ? "an unsigned integer" : "an integer", t, at);
    }
  }

  private static boolean isInteger(int t) { return t <= 0x7f || t >= 0xe0 || (t >= 0xcc && t <= 0xd3); }

  private int peek(String what) throws Malformed {
    need(1, what);
    return b[pos] & 0xff;
  }

  private int count(long n, String what) throws Malformed {
    // Every element takes at least one byte: a count beyond the remaining bytes is a lie, not a big payload.
    if (n > b.length - pos) throw new Malformed(what + ": element count " + n + " exceeds the " + (b.length - pos) + " bytes left at byte " + pos);
    return (int) n;
  }

  private void advance(long n, String what) throws Malformed {
    if (n > b.length - pos) throw truncated(what);
    pos += (int) n;
  }

  private void need(int n, String what) throws Malformed {
    if (n > b.length - pos) throw truncated(what);
  }

  private int u8(String what) throws Malformed {
    need(1, what);
    return b[pos++] & 0xff;
  }

  private int u16(String what) throws Malformed {
    need(2, what);
    int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  private long u32(String what) throws Malformed {
    need(4, what);
    long v = ((long) (b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  private long u64(String what) throws Malformed {
    long hi = u32(what);
    long lo = u32(what);
    return (hi << 32) | lo;
  }

  private Malformed truncated(String what) {
    return new Malformed(what + ": payload truncated at byte " + pos + " of " + b.length);
  }

  private static Malformed wrongType(String what, String expected, int t, int at) {
    return new Malformed(what + ": expected " + expected + ", found msgpack type 0x" + Integer.toHexString(t) + " at byte " + at);
  }
}
