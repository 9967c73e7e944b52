package dev.ddsls.collector;

import java.util.LinkedHashMap;
import java.util.Map;

/** A span as received on the trace intake, with Datadog's field names. Ids are unsigned 64-bit patterns. */
final class Span {
  static final String TID_TAG = "_dd.p.tid";

  long traceId;
  /** High 64 bits of a 128-bit trace id, from meta {@code _dd.p.tid} on the trace's first span; 0 if none. */
  long traceIdHigh;
  long spanId;
  long parentId;
  String name = "";
  String resource = "";
  String service = "";
  String type = "";
  long start;
  long duration;
  int error;
  final Map<String, String> meta = new LinkedHashMap<>();
  final Map<String, Double> metrics = new LinkedHashMap<>();

  /**
   * Appends one JSON object, the shape of the agent's spans-*.jsonl lines: ids as unsigned decimal numbers. Written
   * by hand rather than through Jackson's generator: at ingest this runs for every span.
   */
  void writeJson(Bytes out) {
    out.ascii("{\"trace_id\":");
    out.ascii(Long.toUnsignedString(traceId));
    out.ascii(",\"span_id\":");
    out.ascii(Long.toUnsignedString(spanId));
    out.ascii(",\"parent_id\":");
    out.ascii(Long.toUnsignedString(parentId));
    out.ascii(",\"name\":");
    out.jsonString(name);
    out.ascii(",\"resource\":");
    out.jsonString(resource);
    out.ascii(",\"service\":");
    out.jsonString(service);
    out.ascii(",\"type\":");
    out.jsonString(type);
    out.ascii(",\"start\":");
    out.ascii(Long.toString(start));
    out.ascii(",\"duration\":");
    out.ascii(Long.toString(duration));
    out.ascii(",\"error\":");
    out.ascii(Integer.toString(error));
    out.ascii(",\"meta\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : meta.entrySet()) {
      if (!first) out.put(',');
      first = false;
      out.jsonString(e.getKey());
      out.put(':');
      out.jsonString(e.getValue());
    }
    out.ascii("},\"metrics\":{");
    first = true;
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      double v = e.getValue();
      if (!Double.isFinite(v)) continue; // JSON has no NaN or Infinity: such metrics are left out
      if (!first) out.put(',');
      first = false;
      out.jsonString(e.getKey());
      out.put(':');
      out.ascii(Double.toString(v));
    }
    out.ascii("}}");
  }
}
