package dev.ddsls.analysis.trace;

import dev.ddsls.formats.span.SpanJsonWriter;
import java.util.Map;

/**
 * One span with Datadog's field names, the one model every reader of spans builds (files, the collector's intake and
 * read API, Datadog's API). Ids are unsigned 64-bit values held in longs (print with {@link Long#toUnsignedString});
 * {@code traceId} is the low half of the trace id, the half spans link by, and {@code traceIdHigh} the high half of a
 * 128-bit trace id (meta {@code _dd.p.tid}), 0 for a 64-bit one. {@code start} in epoch nanoseconds,
 * {@code duration} in nanoseconds.
 */
public record Span(long traceId, long traceIdHigh, long spanId, long parentId, String name, String resource, String service,
                   String type, long start, long duration, int error, Map<String, String> meta, Map<String, Double> metrics) {
  /** Datadog's name of the invocation span. */
  public static final String INVOCATION = "aws.lambda";
  /** The meta tag carrying the high 64 bits of a 128-bit trace id, as 16 hex digits. */
  public static final String TID = "_dd.p.tid";

  /** A span of a 64-bit trace (or one whose high half is not known). */
  public Span(long traceId, long spanId, long parentId, String name, String resource, String service, String type,
              long start, long duration, int error, Map<String, String> meta, Map<String, Double> metrics) {
    this(traceId, 0, spanId, parentId, name, resource, service, type, start, duration, error, meta, metrics);
  }

  public String meta(String key) { return meta.get(key); }

  /**
   * Writes this span as the JSON line every side shares (the shape {@link SpanReader} reads and the collector stores
   * and serves); meta as it is (a 128-bit id's high half stays where the tracer put it) and metrics in their maps' order.
   */
  public SpanJsonWriter writeJson(SpanJsonWriter w) {
    w.start(traceId, spanId, parentId, name, resource, service, type, start, duration, error);
    for (Map.Entry<String, String> e : meta.entrySet()) w.meta(e.getKey(), e.getValue());
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      if (e.getValue() != null) w.metric(e.getKey(), e.getValue());
    }
    return w.end();
  }

  public Double metric(String key) { return metrics.get(key); }

  public boolean isInvocation() { return INVOCATION.equals(name); }

  public boolean coldStart() { return "true".equals(meta.get("cold_start")); }

  /** Inferred spans stand for a managed service before the function (API Gateway, SQS, SNS...). */
  public boolean isInferred() {
    Double m = metrics.get("_dd._inferred_span");
    return (m != null && m != 0) || meta.containsKey("_inferred_span.tag_source");
  }

  /** The function name: {@code functionname}, else the invocation span's resource. */
  public String function() {
    String f = meta.get("functionname");
    return f != null ? f : isInvocation() ? resource : null;
  }

  public String id() { return Long.toUnsignedString(spanId); }

  /** The whole trace id as printed: {@link #traceIdText}. */
  public String traceIdText() { return traceIdText(traceIdHigh, traceId); }

  public double durationMs() { return duration / 1e6; }

  /** This span with the high half of its trace id set. */
  public Span withTraceIdHigh(long high) {
    return new Span(traceId, high, spanId, parentId, name, resource, service, type, start, duration, error, meta, metrics);
  }

  /**
   * A trace id as printed: a 128-bit id as 32 lowercase hex digits (W3C's and the collector's {@code trace_id=}
   * spelling), a 64-bit one as an unsigned decimal (Datadog's).
   */
  public static String traceIdText(long high, long low) {
    if (high == 0) return Long.toUnsignedString(low);
    return String.format("%016x%016x", high, low);
  }

  /** The high half from a {@code _dd.p.tid} value: 16 hex digits; anything else is 0 (ignored, as the agent does). */
  public static long tid(String hex) {
    if (hex == null || hex.length() != 16) return 0;
    try {
      return Long.parseUnsignedLong(hex, 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
