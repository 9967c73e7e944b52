package dev.ddsls.formats.pprof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Minimal protobuf wire decoder over a byte range. Every read is bounds-checked, and failures name the message
 * being read and the byte offset, so corrupt input yields a useful one-line error. Public for the collector, which
 * checks and indexes uploads on the wire without building a {@link Profile}.
 */
public final class ProtoReader {
  public static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

  private final byte[] buf;
  private final int limit;
  private final String where;
  private int pos;
  private int wireType;

  public ProtoReader(byte[] buf, int from, int limit, String where) {
    this.buf = buf;
    this.pos = from;
    this.limit = limit;
    this.where = where;
  }

  public boolean hasMore() { return pos < limit; }

  /** Reads the next field key and returns its field number; {@link #wireType()} gives its wire type. */
  public int nextField() throws PprofFormatException {
    int at = pos;
    long key = varint();
    wireType = (int) (key & 7);
    long field = key >>> 3;
    if (wireType != VARINT && wireType != FIXED64 && wireType != LEN && wireType != FIXED32) {
      throw error(at, "invalid wire type " + wireType + " (field " + field + ")");
    }
    if (field == 0 || field > 0x1FFFFFFF) throw error(at, "invalid field number " + field);
    return (int) field;
  }

  public int wireType() { return wireType; }

  public long varint() throws PprofFormatException {
    int at = pos;
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) throw error(at, "truncated varint");
      byte b = buf[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) return v;
    }
    throw error(at, "varint longer than 10 bytes");
  }

  /** A scalar integer field: a varint, or a fixed 64/32-bit value if that is what the writer used. */
  public long integer(String field) throws PprofFormatException {
    switch (wireType) {
      case VARINT: return varint();
      case FIXED64: return fixed(8);
      case FIXED32: return fixed(4);
      default: throw error(pos, field + " has wire type " + wireType + ", expected an integer");
    }
  }

  public String string(String field) throws PprofFormatException {
    expectLen(field);
    int len = length();
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  /**
   * Reads a length-delimited field and returns the index of the candidate its bytes equal, or -1, without building
   * a String.
   */
  public int match(String field, byte[]... candidates) throws PprofFormatException {
    expectLen(field);
    int len = length();
    int found = -1;
    for (int i = 0; i < candidates.length && found < 0; i++) {
      if (Arrays.equals(buf, pos, pos + len, candidates[i], 0, candidates[i].length)) found = i;
    }
    pos += len;
    return found;
  }

  public ProtoReader message(String name) throws PprofFormatException {
    expectLen(name);
    int len = length();
    ProtoReader sub = new ProtoReader(buf, pos, pos + len, name);
    pos += len;
    return sub;
  }

  /** A repeated integer field, packed (one length-delimited run) or not (one value); values are appended. */
  public void repeated(String field, LongList out) throws PprofFormatException {
    if (wireType != LEN) {
      out.add(integer(field));
      return;
    }
    int len = length();
    ProtoReader packed = new ProtoReader(buf, pos, pos + len, where + "." + field);
    pos += len;
    while (packed.hasMore()) out.add(packed.varint());
  }

  public void skip() throws PprofFormatException {
    switch (wireType) {
      case VARINT: varint(); break;
      case FIXED64: fixed(8); break;
      case FIXED32: fixed(4); break;
      default:
        int len = length(); // before the addition: length() itself advances pos
        pos += len;
    }
  }

  private void expectLen(String field) throws PprofFormatException {
    if (wireType != LEN) throw error(pos, field + " has wire type " + wireType + ", expected length-delimited");
  }

  private int length() throws PprofFormatException {
    int at = pos;
    long len = varint();
    if (len < 0 || len > limit - pos) {
      throw error(at, "length " + len + " exceeds the " + (limit - pos) + " bytes left (truncated or corrupt)");
    }
    return (int) len;
  }

  private long fixed(int n) throws PprofFormatException {
    if (limit - pos < n) throw error(pos, "truncated fixed" + (n * 8) + " value");
    long v = 0;
    for (int i = 0; i < n; i++) v |= (buf[pos + i] & 0xFFL) << (8 * i);
    pos += n;
    return v;
  }

  public PprofFormatException error(int at, String what) {
    return new PprofFormatException(where + ": " + what + " at byte " + at);
  }

  /** A growable long array: packed fields can be long, and boxing each value would be wasteful. */
  public static final class LongList {
    private static final long[] EMPTY = {};
    // Empty until the first value: most samples of a profile have no labels, and a hostile one has no values.
    private long[] a = EMPTY;
    private int n;

    public void add(long v) {
      if (n == a.length) a = Arrays.copyOf(a, Math.max(4, n * 2));
      a[n++] = v;
    }

    public int size() { return n; }

    public long get(int i) { return a[i]; }

    public long[] toArray() { return Arrays.copyOf(a, n); }
  }
}
