package dev.ddsls.cli.collect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A span as received on the trace intake, with Datadog's field names. Ids are unsigned 64-bit patterns. */
final class Span {
  static final String TID_TAG = "_dd.p.tid";
  private static final JsonFactory JSON = new JsonFactory();

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

  /** One JSON object, the shape of the agent's spans-*.jsonl lines: ids as unsigned decimal numbers. */
  String toJson() {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("trace_id"); g.writeNumber(Long.toUnsignedString(traceId));
      g.writeFieldName("span_id"); g.writeNumber(Long.toUnsignedString(spanId));
      g.writeFieldName("parent_id"); g.writeNumber(Long.toUnsignedString(parentId));
      g.writeStringField("name", name);
      g.writeStringField("resource", resource);
      g.writeStringField("service", service);
      g.writeStringField("type", type);
      g.writeNumberField("start", start);
      g.writeNumberField("duration", duration);
      g.writeNumberField("error", error);
      g.writeObjectFieldStart("meta");
      for (Map.Entry<String, String> e : meta.entrySet()) g.writeStringField(e.getKey(), e.getValue());
      g.writeEndObject();
      g.writeObjectFieldStart("metrics");
      for (Map.Entry<String, Double> e : metrics.entrySet()) {
        // JSON has no NaN or Infinity: such metrics are left out.
        if (Double.isFinite(e.getValue())) g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
