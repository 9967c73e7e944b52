package dev.ddsls.analysis.trace;

import java.util.Arrays;
import java.util.Map;

/**
 * Writes a {@link Span} as one JSON object in UTF-8, the shape {@link SpanReader} reads and the collector stores and
 * serves: Datadog's field names, ids as unsigned decimal numbers (the low half of the trace id; a 128-bit id keeps its
 * high half where the tracer put it, in meta {@code _dd.p.tid}), meta and metrics in their maps' order. Written by
 * hand into a reused buffer rather than through Jackson's generator: at ingest this runs for every span. Not
 * thread-safe: one writer per thread.
 */
public final class SpanJsonWriter {
  private byte[] buf = new byte[512];
  private int len;

  /** Encodes {@code s}; the bytes are {@link #buffer()}[0, {@link #length()}) until the next call. */
  public SpanJsonWriter write(Span s) {
    len = 0;
    ascii("{\"trace_id\":");
    ascii(Long.toUnsignedString(s.traceId()));
    ascii(",\"span_id\":");
    ascii(Long.toUnsignedString(s.spanId()));
    ascii(",\"parent_id\":");
    ascii(Long.toUnsignedString(s.parentId()));
    ascii(",\"name\":");
    string(s.name());
    ascii(",\"resource\":");
    string(s.resource());
    ascii(",\"service\":");
    string(s.service());
    ascii(",\"type\":");
    string(s.type());
    ascii(",\"start\":");
    ascii(Long.toString(s.start()));
    ascii(",\"duration\":");
    ascii(Long.toString(s.duration()));
    ascii(",\"error\":");
    ascii(Integer.toString(s.error()));
    ascii(",\"meta\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : s.meta().entrySet()) {
      if (!first) put(',');
      first = false;
      string(e.getKey());
      put(':');
      string(e.getValue());
    }
    ascii("},\"metrics\":{");
    first = true;
    for (Map.Entry<String, Double> e : s.metrics().entrySet()) {
      double v = e.getValue();
      if (!Double.isFinite(v)) continue; // JSON has no NaN or Infinity: such metrics are left out
      if (!first) put(',');
      first = false;
      string(e.getKey());
      put(':');
      ascii(Double.toString(v));
    }
    ascii("}}");
    return this;
  }

  public byte[] buffer() { return buf; }

  public int length() { return len; }

  /** A copy of the last span's bytes. */
  public byte[] toByteArray() { return Arrays.copyOf(buf, len); }

  private void ensure(int more) {
    if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
  }

  private void put(int b) {
    if (len == buf.length) ensure(1);
    buf[len++] = (byte) b;
  }

  private void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
  }

  /** A JSON string: the UTF-8 bytes of {@code s} with JSON escapes, between quotes. */
  private void string(String s) {
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
}
