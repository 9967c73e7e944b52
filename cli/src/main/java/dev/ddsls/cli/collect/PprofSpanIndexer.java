package dev.ddsls.cli.collect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The spans a pprof attachment's samples belong to, from its {@code span id} / {@code local root span id} labels.
 * Reads the protobuf wire format in place (string table, then samples and their labels) without building a
 * profile: at ingest this runs for every upload.
 */
final class PprofSpanIndexer implements ProfileSpanIndexer {
  private static final byte[] SPAN_ID = "span id".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ROOT_ID = "local root span id".getBytes(StandardCharsets.UTF_8);

  @Override
  public Collection<SpanRef> spans(String format, String compression, byte[] data) throws Exception {
    if (!"pprof".equals(format)) return List.of();
    if ("gzip".equals(compression)) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 65536)) { data = in.readAllBytes(); }
    } else if (!"none".equals(compression)) {
      return List.of();
    }
    long[] keys = labelKeys(data);
    if (keys[0] < 0) return List.of();
    Map<Long, Long> rootOfSpan = new LinkedHashMap<>();
    Wire w = new Wire(data, 0, data.length);
    while (w.more()) {
      int tag = (int) w.varint();
      if (tag != (2 << 3 | 2)) { w.skip(tag); continue; } // Profile.sample
      int end = w.length();
      Wire sample = new Wire(data, w.pos, end);
      w.pos = end;
      long span = 0, root = 0;
      boolean hasSpan = false;
      while (sample.more()) {
        int st = (int) sample.varint();
        if (st != (3 << 3 | 2)) { sample.skip(st); continue; } // Sample.label
        int lend = sample.length();
        Wire label = new Wire(data, sample.pos, lend);
        sample.pos = lend;
        long key = 0, num = 0;
        while (label.more()) {
          int lt = (int) label.varint();
          if (lt == (1 << 3)) key = label.varint(); // Label.key
          else if (lt == (3 << 3)) num = label.varint(); // Label.num
          else label.skip(lt);
        }
        if (key == keys[0]) { span = num; hasSpan = true; } else if (key == keys[1]) root = num;
      }
      if (hasSpan) rootOfSpan.putIfAbsent(span, root);
    }
    List<SpanRef> out = new ArrayList<>(rootOfSpan.size());
    for (Map.Entry<Long, Long> e : rootOfSpan.entrySet()) out.add(new SpanRef(e.getKey(), e.getValue()));
    return out;
  }

  /** String table indexes of "span id" and "local root span id"; -1 where absent. */
  private static long[] labelKeys(byte[] d) throws IOException {
    long[] keys = {-1, -1};
    long index = 0;
    Wire w = new Wire(d, 0, d.length);
    while (w.more()) {
      int tag = (int) w.varint();
      if (tag != (6 << 3 | 2)) { w.skip(tag); continue; } // Profile.string_table
      int end = w.length();
      if (equal(d, w.pos, end, SPAN_ID)) keys[0] = index;
      else if (equal(d, w.pos, end, ROOT_ID)) keys[1] = index;
      index++;
      w.pos = end;
    }
    return keys;
  }

  private static boolean equal(byte[] d, int from, int to, byte[] s) {
    if (to - from != s.length) return false;
    for (int i = 0; i < s.length; i++) if (d[from + i] != s[i]) return false;
    return true;
  }

  /** A cursor over protobuf fields between {@code pos} and {@code end}. */
  private static final class Wire {
    final byte[] d;
    int pos;
    final int end;

    Wire(byte[] d, int pos, int end) {
      this.d = d;
      this.pos = pos;
      this.end = end;
    }

    boolean more() { return pos < end; }

    long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) throw new IOException("pprof truncated at byte " + pos);
        int b = d[pos++] & 0xff;
        v |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) return v;
      }
      throw new IOException("bad varint at byte " + pos);
    }

    /** The end of a length-delimited field whose length comes next. */
    int length() throws IOException {
      long n = varint();
      if (n < 0 || n > end - pos) throw new IOException("pprof field of " + n + " bytes at byte " + pos + " overruns its message");
      return pos + (int) n;
    }

    void skip(int tag) throws IOException {
      switch (tag & 7) {
        case 0: varint(); return;
        case 1: advance(8); return;
        case 5: advance(4); return;
        case 2: pos = length(); return;
        default: throw new IOException("wire type " + (tag & 7) + " at byte " + pos);
      }
    }

    private void advance(int n) throws IOException {
      if (n > end - pos) throw new IOException("pprof truncated at byte " + pos);
      pos += n;
    }
  }
}
