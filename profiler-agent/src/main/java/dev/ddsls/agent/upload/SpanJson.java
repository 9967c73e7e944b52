package dev.ddsls.agent.upload;

import dev.ddsls.agent.trace.Span;
import java.util.Map;

/** One span as one line of JSON (spans-*.jsonl), with the field names and order of the v0.4 trace intake. */
final class SpanJson {
  private SpanJson() {}

  /**
   * The span as JSON without a trailing newline. Ids are unsigned decimal integers. A 128-bit trace id's high
   * half is in meta {@code _dd.p.tid} on every span (a line stands alone, so there is no "first span").
   */
  static String line(Span s) {
    JsonWriter j = new JsonWriter();
    j.beginObject();
    j.name("service").value(TraceEncoder.nonNull(s.service()));
    j.name("name").value(TraceEncoder.nonNull(s.name()));
    j.name("resource").value(TraceEncoder.nonNull(s.resource()));
    j.name("trace_id").valueUnsigned(s.traceId());
    j.name("span_id").valueUnsigned(s.spanId());
    j.name("parent_id").valueUnsigned(s.parentId());
    j.name("start").value(s.start());
    j.name("duration").value(s.duration());
    j.name("type").value(TraceEncoder.nonNull(s.type()));
    j.name("error").value(s.error());
    j.name("meta").beginObject();
    for (Map.Entry<String, String> e : s.meta().entrySet()) {
      if (e.getKey() != null) j.name(e.getKey()).value(TraceEncoder.nonNull(e.getValue()));
    }
    if (s.traceIdHigh() != 0 && !s.meta().containsKey(TraceEncoder.TID_KEY)) {
      j.name(TraceEncoder.TID_KEY).value(TraceEncoder.hex16(s.traceIdHigh()));
    }
    j.endObject();
    j.name("metrics").beginObject();
    for (Map.Entry<String, Double> e : s.metrics().entrySet()) {
      Double v = e.getValue();
      // JSON has no NaN or infinity: such metrics are left out rather than written as null.
      if (e.getKey() != null && v != null && !v.isNaN() && !v.isInfinite()) j.name(e.getKey()).value(v.doubleValue());
    }
    j.endObject();
    j.endObject();
    return j.toString();
  }
}
