package dev.ddsls.analysis.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** An X-Ray segment or subsegment: X-Ray trace id ({@code 1-<8 hex>-<24 hex>}), 16-hex id, parent id, name, origin. */
public record XRaySegment(String traceId, String id, String parentId, String name, String origin) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Datadog's trace id for an X-Ray trace id (docs/trace-context.md "X-Ray"): the last 16 hex digits; masked to 63
   * bits unless the trace came from Datadog (middle padded with {@code 00000000}), which keeps all 64.
   */
  public static long datadogTraceId(String xrayTraceId) {
    String[] parts = xrayTraceId.split("-");
    String hex = parts.length == 0 ? "" : parts[parts.length - 1];
    if (hex.length() < 16) return 0; // not an X-Ray trace id (an export is anyone's JSON): 0 matches no span
    long low = hex64(hex.substring(hex.length() - 16));
    return hex.startsWith("00000000") ? low : low & 0x7FFFFFFFFFFFFFFFL;
  }

  /** Datadog's span id for an X-Ray segment id: all 64 bits of the 16 hex digits; 0 (no span's) for anything else. */
  public static long datadogSpanId(String segmentId) { return segmentId.length() == 16 ? hex64(segmentId) : 0; }

  private static long hex64(String hex) {
    try {
      return Long.parseUnsignedLong(hex, 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether a JSON document is an {@code aws xray batch-get-traces} (or get-trace-graph-like) export. */
  public static boolean isExport(JsonNode doc) { return doc.isObject() && doc.has("Traces") && doc.get("Traces").isArray(); }

  /** The segments of an {@code aws xray batch-get-traces} export, subsegments included (flattened). */
  public static List<XRaySegment> read(JsonNode doc) throws IOException {
    List<XRaySegment> out = new ArrayList<>();
    for (JsonNode trace : doc.path("Traces")) {
      for (JsonNode seg : trace.path("Segments")) {
        JsonNode d = seg.path("Document");
        JsonNode document = d.isTextual() ? JSON.readTree(d.asText()) : d;
        add(document, document.path("trace_id").asText(trace.path("Id").asText()), out);
      }
    }
    return out;
  }

  private static void add(JsonNode d, String traceId, List<XRaySegment> out) {
    out.add(new XRaySegment(d.path("trace_id").asText(traceId), d.path("id").asText(), d.path("parent_id").asText(null),
        d.path("name").asText(""), d.path("origin").asText(null)));
    for (JsonNode sub : d.path("subsegments")) add(sub, traceId, out);
  }
}
