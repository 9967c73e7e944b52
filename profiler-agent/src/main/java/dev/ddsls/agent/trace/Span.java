package dev.ddsls.agent.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Datadog span, with the field names of the trace intake (v0.4) and of ddsls' spans-*.jsonl. Built in this package
 * ({@link InvocationSpans}); read by the encoders.
 */
public final class Span {
  /** Low 64 bits of the trace id (unsigned). */
  long traceId;
  /** High 64 bits of a 128-bit trace id (0 when 64-bit); sent as meta {@code _dd.p.tid}. */
  long traceIdHigh;
  long spanId;
  long parentId;
  String name;
  String resource;
  String service;
  String type;
  /** Nanoseconds since the epoch. */
  long start;
  long duration;
  int error;
  final Map<String, String> meta = new LinkedHashMap<>();
  final Map<String, Double> metrics = new LinkedHashMap<>();

  Span() {}

  public long traceId() { return traceId; }

  public long traceIdHigh() { return traceIdHigh; }

  public long spanId() { return spanId; }

  public long parentId() { return parentId; }

  public String name() { return name; }

  public String resource() { return resource; }

  public String service() { return service; }

  public String type() { return type; }

  public long start() { return start; }

  public long duration() { return duration; }

  public int error() { return error; }

  public Map<String, String> meta() { return meta; }

  public Map<String, Double> metrics() { return metrics; }
}
