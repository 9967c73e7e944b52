package dev.ddsls.formats.span;

import java.util.Arrays;

/**
 * The span JSON line every side writes (the agent's {@code spans-*.jsonl}, the collector's store and read API): one
 * object in UTF-8, Datadog's field names in one order ({@code trace_id, span_id, parent_id, name, resource, service,
 * type, start, duration, error, meta, metrics}), ids as unsigned decimal numbers (the low half of the trace id; a
 * 128-bit id keeps its high half in meta {@code _dd.p.tid}). Written by hand into a reused buffer rather than through
 * a JSON library: the agent may use none, and at the collector's ingest this runs for every span. Not thread-safe.
 *
 * <p>Use: {@link #start}, then {@link #meta} for each tag, {@link #metric} for each metric, then {@link #end}; the
 * bytes are {@link #buffer()}[0, {@link #length()}) until the next {@code start}.
 */
public final class SpanJsonWriter {
  private static final int META = 1, METRICS = 2, DONE = 3;
  private byte[] buf = new byte[512];
  private int len;
  private int section;
  private boolean first;

  /** Begins a span: everything but its meta and metrics. Null strings are written as empty ones. */
  public SpanJsonWriter start(long traceId, long spanId, long parentId, String name, String resource, String service,
                              String type, long start, long duration, int error) {
    len = 0;
    ascii("{\"trace_id\":");
    ascii(Long.toUnsignedString(traceId));
    ascii(",\"span_id\":");
    ascii(Long.toUnsignedString(spanId));
    ascii(",\"parent_id\":");
    ascii(Long.toUnsignedString(parentId));
    ascii(",\"name\":");
    string(name);
    ascii(",\"resource\":");
    string(resource);
    ascii(",\"service\":");
    string(service);
    ascii(",\"type\":");
    string(type);
    ascii(",\"start\":");
    ascii(Long.toString(start));
    ascii(",\"duration\":");
    ascii(Long.toString(duration));
    ascii(",\"error\":");
    ascii(Integer.toString(error));
    ascii(",\"meta\":{");
    section = META;
    first = true;
    return this;
  }

  /** One tag; all tags come before the first metric. A null key is left out, a null value written empty. */
  public SpanJsonWriter meta(String key, String value) {
    if (section != META) throw new IllegalStateException("meta after metrics or outside a span");
    if (key == null) return this;
    member(key);
    string(value);
    return this;
  }

  /** One metric. JSON has no NaN or infinity: such a metric is left out (as is a null key). */
  public SpanJsonWriter metric(String key, double value) {
    toMetrics();
    if (key == null || !Double.isFinite(value)) return this;
    member(key);
    ascii(Double.toString(value));
    return this;
  }

  /** Ends the span's object (no newline). */
  public SpanJsonWriter end() {
    toMetrics();
    ascii("}}");
    section = DONE;
    return this;
  }

  public byte[] buffer() { return buf; }

  public int length() { return len; }

  /** A copy of the last span's bytes. */
  public byte[] toByteArray() { return Arrays.copyOf(buf, len); }

  private void toMetrics() {
    if (section == METRICS) return;
    if (section != META) throw new IllegalStateException("no span started");
    ascii("},\"metrics\":{");
    section = METRICS;
    first = true;
  }

  private void member(String key) {
    if (!first) put(',');
    first = false;
    string(key);
    put(':');
  }

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

  /** A JSON string: the UTF-8 bytes of {@code s} (empty when null) with JSON escapes, between quotes. */
  private void string(String s) {
    if (s == null) s = "";
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
      } else if (Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
        escape(c); // unpaired surrogates: UTF-8 cannot carry them; line and paragraph separators end lines in some readers
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
