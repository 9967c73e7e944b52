package dev.ddsls.agent.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/** A Datadog span, with the field names of the trace intake (v0.4) and of ddsls' spans-*.jsonl. */
public final class Span {
  /** Low 64 bits of the trace id (unsigned). */
  public long traceId;
  /** High 64 bits of a 128-bit trace id (0 when 64-bit); sent as meta {@code _dd.p.tid}. */
  public long traceIdHigh;
  public long spanId;
  public long parentId;
  public String name;
  public String resource;
  public String service;
  public String type;
  /** Nanoseconds since the epoch. */
  public long start;
  public long duration;
  public int error;
  public final Map<String, String> meta = new LinkedHashMap<>();
  public final Map<String, Double> metrics = new LinkedHashMap<>();
}
