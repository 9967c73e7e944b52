package dev.ddsls.analysis.trace;

import java.util.Map;

/**
 * One span with Datadog's field names: ids are unsigned 64-bit values held in longs (print with
 * {@link Long#toUnsignedString}), {@code start} in epoch nanoseconds, {@code duration} in nanoseconds.
 */
public record Span(long traceId, long spanId, long parentId, String name, String resource, String service, String type,
                   long start, long duration, int error, Map<String, String> meta, Map<String, Double> metrics) {
  /** Datadog's name of the invocation span. */
  public static final String INVOCATION = "aws.lambda";

  public String meta(String key) { return meta.get(key); }

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

  public double durationMs() { return duration / 1e6; }
}
