package dev.ddsls.collector;

import dev.ddsls.analysis.trace.Span;
import dev.ddsls.formats.span.SpanJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Up to {@link #MAX_SPANS} spans of one request stored as one record: a small directory of what queries filter on
 * (start, trace id, service, function, request id, cold start) followed by each span's JSON exactly as the read API
 * serves it, the whole deflated. One row per chunk instead of one row and seven index entries per span is what
 * lets a single SQLite writer keep up (docs/collector.md). Within a chunk, span {@code i} has the id
 * {@code chunkId << 16 | i}: arrival order, used by the read API's cursor.
 *
 * <p>Layout before deflating: varint count, varint string count, strings (varint length, UTF-8), then per span:
 * start (8 bytes), trace id, trace id high (8 each), varint service index, varint function index + 1 (0 none),
 * varint request id index + 1, cold start byte (0 unknown, 1 false, 2 true), varint JSON length; then the JSON.
 */
final class SpanChunk {
  static final int MAX_SPANS = 1024;
  private static final int VERSION = 1;

  /** The encoded chunk and the keys it is found by. */
  static final class Encoded {
    final byte[] data;
    final long minStart;
    final long maxStart;
    final int count;
    /** {@link #hash} of each distinct key, ascending. */
    final long[] keys;

    Encoded(byte[] data, long minStart, long maxStart, int count, long[] keys) {
      this.data = data;
      this.minStart = minStart;
      this.maxStart = maxStart;
      this.count = count;
      this.keys = keys;
    }
  }

  /**
   * The 64-bit hash a key is indexed by (chunk_keys.key): small integer keys keep the index a fraction of the size of
   * text keys. A collision costs decoding a chunk that holds no match; every span is checked exactly anyway.
   * FNV-1a over UTF-8, then a 64-bit finalizer (MurmurHash3's fmix64) to spread FNV's low bits. Stored: never change.
   */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  // Index keys, one namespace per query parameter.
  static String serviceKey(String s) { return "s:" + s; }
  static String functionKey(String f) { return "f:" + f; }
  static String requestKey(String r) { return "r:" + r; }
  static String traceKey(long lowTraceId) { return "t:" + Long.toUnsignedString(lowTraceId); }
  static String coldKey(boolean cold) { return cold ? "c:1" : "c:0"; }

  final int count;
  final long[] start;
  final long[] traceId;
  final long[] traceIdHigh;
  final String[] service;
  final String[] function;
  final String[] requestId;
  /** 0 unknown, 1 false, 2 true. */
  final byte[] cold;
  final int[] jsonOffset;
  final int[] jsonLength;
  final byte[] raw;

  private SpanChunk(int count, byte[] raw) {
    this.count = count;
    this.raw = raw;
    start = new long[count];
    traceId = new long[count];
    traceIdHigh = new long[count];
    service = new String[count];
    function = new String[count];
    requestId = new String[count];
    cold = new byte[count];
    jsonOffset = new int[count];
    jsonLength = new int[count];
  }

  static Encoded encode(List<Span> spans) {
    int n = spans.size();
    if (n == 0 || n > MAX_SPANS) throw new IllegalArgumentException("a chunk holds 1.." + MAX_SPANS + " spans, not " + n);
    Bytes json = new Bytes(n * 512);
    int[] jsonLen = new int[n];
    Map<String, Integer> strings = new HashMap<>();
    List<String> table = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    Bytes dir = new Bytes(n * 40);
    long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
    SpanJsonWriter writer = new SpanJsonWriter();
    for (int i = 0; i < n; i++) {
      Span s = spans.get(i);
      s.writeJson(writer);
      json.put(writer.buffer(), 0, writer.length());
      jsonLen[i] = writer.length();
      String function = s.meta("functionname");
      String request = s.meta("request_id");
      String coldText = s.meta("cold_start");
      int cold = coldText == null ? 0 : "true".equalsIgnoreCase(coldText) ? 2 : 1;
      dir.long64(s.start());
      dir.long64(s.traceId());
      dir.long64(s.traceIdHigh());
      dir.varint(index(s.service(), strings, table));
      dir.varint(function == null ? 0 : index(function, strings, table) + 1);
      dir.varint(request == null ? 0 : index(request, strings, table) + 1);
      dir.put(cold);
      dir.varint(jsonLen[i]);
      min = Math.min(min, s.start());
      max = Math.max(max, s.start());
      keys.add(serviceKey(s.service()));
      if (function != null) keys.add(functionKey(function));
      if (request != null) keys.add(requestKey(request));
      if (cold != 0) keys.add(coldKey(cold == 2));
      keys.add(traceKey(s.traceId()));
    }
    Bytes all = new Bytes(16 + table.size() * 24 + dir.len + json.len);
    all.varint(n);
    all.varint(table.size());
    for (String t : table) {
      byte[] b = t.getBytes(StandardCharsets.UTF_8);
      all.varint(b.length);
      all.put(b, 0, b.length);
    }
    all.put(dir.buf, 0, dir.len);
    all.put(json.buf, 0, json.len);
    return new Encoded(deflate(all), min, max, n, hashes(keys));
  }

  private static int index(String s, Map<String, Integer> strings, List<String> table) {
    Integer i = strings.get(s);
    if (i != null) return i;
    strings.put(s, table.size());
    table.add(s);
    return table.size() - 1;
  }

  /** Version byte, then the deflated layout. Level 1: most of the size gain at a fraction of the CPU of the default. */
  private static byte[] deflate(Bytes in) {
    Deflater d = new Deflater(Deflater.BEST_SPEED, true);
    try {
      d.setInput(in.buf, 0, in.len);
      d.finish();
      Bytes out = new Bytes(in.len / 4 + 64);
      out.put(VERSION);
      while (!d.finished()) {
        out.ensure(65536);
        out.len += d.deflate(out.buf, out.len, out.buf.length - out.len);
      }
      return out.toArray();
    } finally {
      d.end();
    }
  }

  /** Decodes a stored chunk; the caller has checked its checksum. */
  static SpanChunk decode(byte[] data) {
    if (data.length < 1 || data[0] != VERSION) throw new IllegalStateException("span chunk of an unknown version " + (data.length == 0 ? "(empty)" : data[0]));
    byte[] raw = inflate(data);
    int[] pos = {0};
    int n = (int) varint(raw, pos);
    SpanChunk c = new SpanChunk(n, raw);
    String[] table = new String[(int) varint(raw, pos)];
    for (int i = 0; i < table.length; i++) {
      int len = (int) varint(raw, pos);
      table[i] = new String(raw, pos[0], len, StandardCharsets.UTF_8);
      pos[0] += len;
    }
    for (int i = 0; i < n; i++) {
      c.start[i] = long64(raw, pos);
      c.traceId[i] = long64(raw, pos);
      c.traceIdHigh[i] = long64(raw, pos);
      c.service[i] = table[(int) varint(raw, pos)];
      int f = (int) varint(raw, pos);
      c.function[i] = f == 0 ? null : table[f - 1];
      int r = (int) varint(raw, pos);
      c.requestId[i] = r == 0 ? null : table[r - 1];
      c.cold[i] = raw[pos[0]++];
      c.jsonLength[i] = (int) varint(raw, pos);
    }
    int off = pos[0];
    for (int i = 0; i < n; i++) {
      c.jsonOffset[i] = off;
      off += c.jsonLength[i];
    }
    if (off != raw.length) throw new IllegalStateException("span chunk: directory and JSON disagree (" + off + " != " + raw.length + ")");
    return c;
  }

  private static long[] hashes(Set<String> keys) {
    long[] h = new long[keys.size()];
    int i = 0;
    for (String k : keys) h[i++] = hash(k);
    Arrays.sort(h);
    return h;
  }

  /** The key hashes this chunk was indexed by (for deleting them with the chunk). */
  long[] keys() {
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < count; i++) {
      keys.add(serviceKey(service[i]));
      if (function[i] != null) keys.add(functionKey(function[i]));
      if (requestId[i] != null) keys.add(requestKey(requestId[i]));
      if (cold[i] != 0) keys.add(coldKey(cold[i] == 2));
      keys.add(traceKey(traceId[i]));
    }
    return hashes(keys);
  }

  private static byte[] inflate(byte[] data) {
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(data, 1, data.length - 1);
      Bytes out = new Bytes(data.length * 6);
      while (!inf.finished()) {
        out.ensure(65536);
        int n = inf.inflate(out.buf, out.len, out.buf.length - out.len);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) throw new IllegalStateException("span chunk: truncated deflate stream");
        out.len += n;
      }
      return out.len == out.buf.length ? out.buf : out.toArray();
    } catch (DataFormatException e) {
      throw new IllegalStateException("span chunk: broken deflate stream: " + e.getMessage());
    } finally {
      inf.end();
    }
  }

  private static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[pos[0]++] & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) return v;
    }
  }

  private static long long64(byte[] b, int[] pos) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (b[pos[0]++] & 0xff);
    return v;
  }
}
