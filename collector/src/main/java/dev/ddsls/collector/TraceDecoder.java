package dev.ddsls.collector;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.analysis.trace.TraceIds;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes trace intake payloads: /v0.3 and /v0.4 (msgpack or JSON: an array of traces, each an array of span
 * maps) and /v0.5 (msgpack: a string table and traces of 12-element span arrays). The whole payload is
 * decoded and checked before anything is stored, so a bad payload changes nothing. Spans keep their meta and metrics
 * in the order received (the stored JSON does too).
 */
final class TraceDecoder {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /**
   * Heap per byte of a JSON span's tree, at worst: nested empty arrays and objects cost Jackson about 50 bytes of nodes
   * per byte of input.
   */
  static final long JSON_TREE = 64;
  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private TraceDecoder() {}

  static List<Span> v04Msgpack(byte[] body, DecodeCost cost) throws Malformed, MemoryBudget.Exceeded {
    MsgpackReader r = new MsgpackReader(body);
    List<Span> out = new ArrayList<>();
    int traces = r.readArrayHeader("payload");
    for (int t = 0; t < traces; t++) {
      int spans;
      try {
        spans = r.readArrayHeader("");
      } catch (Malformed e) {
        throw new Malformed("trace " + t + e.getMessage());
      }
      int first = out.size();
      for (int s = 0; s < spans; s++) {
        // Where-strings are built only for the message of a refused payload, not for every field of every span.
        try {
          out.add(spanMap(r, cost));
        } catch (Malformed e) {
          throw new Malformed("trace " + t + " span " + s + e.getMessage());
        }
      }
      finishTrace(out.subList(first, out.size()), "trace " + t);
    }
    end(r);
    cost.flush();
    return out;
  }

  static List<Span> v05Msgpack(byte[] body, DecodeCost cost) throws Malformed, MemoryBudget.Exceeded {
    MsgpackReader r = new MsgpackReader(body);
    if (r.readArrayHeader("payload") != 2) throw new Malformed("payload: v0.5 expects [string table, traces]");
    int n = r.readArrayHeader("string table");
    cost.before(16 + 4L * n); // the table's array, before it is made
    String[] dict = new String[n];
    for (int i = 0; i < n; i++) {
      dict[i] = r.readString("string table entry " + i);
      cost.add(DecodeCost.string(dict[i].length()));
    }
    List<Span> out = new ArrayList<>();
    int traces = r.readArrayHeader("traces");
    for (int t = 0; t < traces; t++) {
      int spans = r.readArrayHeader("trace " + t);
      int first = out.size();
      for (int s = 0; s < spans; s++) {
        String at = "trace " + t + " span " + s;
        if (r.readArrayHeader(at) != 12) throw new Malformed(at + ": v0.5 spans have 12 elements");
        String service = str(r, dict, at + " service");
        String name = str(r, dict, at + " name");
        String resource = str(r, dict, at + " resource");
        long traceId = r.readUnsigned(at + " trace_id");
        long spanId = r.readUnsigned(at + " span_id");
        long parentId = r.readUnsigned(at + " parent_id");
        long start = r.readSigned(at + " start");
        long duration = r.readSigned(at + " duration");
        int error = error(r.readSigned(at + " error"), at);
        Map<String, String> meta = new LinkedHashMap<>();
        int metaSize = r.readMapHeader(at + " meta");
        cost.add(DecodeCost.SPAN + DecodeCost.ENTRY * metaSize); // strings are the table's
        for (int i = 0; i < metaSize; i++) meta.put(str(r, dict, at + " meta key"), str(r, dict, at + " meta value"));
        Map<String, Double> metrics = new LinkedHashMap<>();
        int metricsSize = r.readMapHeader(at + " metrics");
        cost.add(DecodeCost.ENTRY * metricsSize);
        for (int i = 0; i < metricsSize; i++) metrics.put(str(r, dict, at + " metrics key"), r.readDouble(at + " metrics value"));
        String type = str(r, dict, at + " type");
        Span span = new Span(traceId, Span.tid(meta.get(Span.TID)), spanId, parentId, name, resource, service, type, start, duration,
            error, meta, metrics);
        out.add(span);
      }
      finishTrace(out.subList(first, out.size()), "trace " + t);
    }
    end(r);
    cost.flush();
    return out;
  }

  /**
   * Streams the traces and reads one span object at a time into a tree (its bytes times {@link #JSON_TREE} are taken
   * from the budget first, for as long as the tree lives), so a large body is never one tree. Content after the
   * array is refused.
   */
  static List<Span> v04Json(byte[] body, DecodeCost cost) throws Malformed, MemoryBudget.Exceeded {
    List<Span> out = new ArrayList<>();
    try (JsonParser p = MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) throw new Malformed("payload: expected a JSON array of traces");
      for (int t = 0; ; t++) {
        JsonToken trace = p.nextToken();
        if (trace == JsonToken.END_ARRAY) break;
        if (trace != JsonToken.START_ARRAY) throw new Malformed(trace == null ? "payload: truncated JSON" : "trace " + t + ": expected an array of spans");
        int first = out.size();
        for (int s = 0; ; s++) {
          JsonToken span = p.nextToken();
          if (span == JsonToken.END_ARRAY) break;
          String at = "trace " + t + " span " + s;
          if (span != JsonToken.START_OBJECT) throw new Malformed(span == null ? "payload: truncated JSON" : at + ": expected a JSON object");
          int from = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int to = (int) p.currentLocation().getByteOffset();
          long tree = JSON_TREE * (to - from);
          cost.before(tree);
          Span decoded;
          try {
            decoded = spanJson(MAPPER.readTree(body, from, to - from), at);
          } finally {
            cost.after(tree);
          }
          cost.add(cost(decoded));
          out.add(decoded);
        }
        finishTrace(out.subList(first, out.size()), "trace " + t);
      }
      if (p.nextToken() != null) throw new Malformed("payload: unexpected content after the traces at byte " + p.currentTokenLocation().getByteOffset());
    } catch (JsonProcessingException e) {
      throw new Malformed("payload: invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Malformed("payload: unreadable JSON: " + e.getMessage());
    }
    cost.flush();
    return out;
  }

  /** The heap a decoded span keeps (see {@link DecodeCost}). */
  private static long cost(Span s) {
    long c = DecodeCost.SPAN + DecodeCost.string(s.name().length()) + DecodeCost.string(s.resource().length())
        + DecodeCost.string(s.service().length()) + DecodeCost.string(s.type().length());
    for (Map.Entry<String, String> e : s.meta().entrySet()) c += DecodeCost.ENTRY + DecodeCost.string(e.getKey().length()) + DecodeCost.string(e.getValue().length());
    for (String k : s.metrics().keySet()) c += DecodeCost.ENTRY + DecodeCost.string(k.length());
    return c;
  }

  private static Span spanMap(MsgpackReader r, DecodeCost cost) throws Malformed, MemoryBudget.Exceeded {
    String service = "", name = "", resource = "", type = "";
    long traceId = 0, spanId = 0, parentId = 0, start = 0, duration = 0;
    int error = 0;
    Map<String, String> meta = new LinkedHashMap<>();
    Map<String, Double> metrics = new LinkedHashMap<>();
    int n = r.readMapHeader("");
    long kept = DecodeCost.SPAN;
    for (int i = 0; i < n; i++) {
      String key = r.readString(" key");
      switch (key) {
        case "service": service = r.readString(" service"); kept += DecodeCost.string(service.length()); break;
        case "name": name = r.readString(" name"); kept += DecodeCost.string(name.length()); break;
        case "resource": resource = r.readString(" resource"); kept += DecodeCost.string(resource.length()); break;
        case "type": type = r.readString(" type"); kept += DecodeCost.string(type.length()); break;
        case "trace_id": traceId = r.readUnsigned(" trace_id"); break;
        case "span_id": spanId = r.readUnsigned(" span_id"); break;
        case "parent_id": parentId = r.readUnsigned(" parent_id"); break;
        case "start": start = r.readSigned(" start"); break;
        case "duration": duration = r.readSigned(" duration"); break;
        case "error": error = error(r.readSigned(" error"), ""); break;
        case "meta": {
          int m = r.readMapHeader(" meta");
          for (int j = 0; j < m; j++) {
            String k = r.readString(" meta key");
            String v = r.readString(" meta value");
            kept += DecodeCost.ENTRY + DecodeCost.string(k.length()) + DecodeCost.string(v.length());
            meta.put(k, v);
          }
          break;
        }
        case "metrics": {
          int m = r.readMapHeader(" metrics");
          for (int j = 0; j < m; j++) {
            String k = r.readString(" metrics key");
            kept += DecodeCost.ENTRY + DecodeCost.string(k.length());
            metrics.put(k, r.readDouble(" metrics value"));
          }
          break;
        }
        // meta_struct, span_links, span_events and anything newer: accepted, not stored.
        default: r.skip(" " + key);
      }
    }
    cost.add(kept);
    return new Span(traceId, Span.tid(meta.get(Span.TID)), spanId, parentId, name, resource, service, type, start, duration, error,
        meta, metrics);
  }

  static Span spanJson(JsonNode n, String at) throws Malformed {
    if (!n.isObject()) throw new Malformed(at + ": expected a JSON object");
    // Checked in this order, so a payload with several faults is refused for the same one as before.
    String service = text(n, "service", at);
    String name = text(n, "name", at);
    String resource = text(n, "resource", at);
    String type = text(n, "type", at);
    long traceId = unsigned(n.get("trace_id"), at + " trace_id");
    long spanId = unsigned(n.get("span_id"), at + " span_id");
    long parentId = unsigned(n.get("parent_id"), at + " parent_id");
    long start = signed(n.get("start"), at + " start");
    long duration = signed(n.get("duration"), at + " duration");
    int error = error(signed(n.get("error"), at + " error"), at);
    Map<String, String> meta = new LinkedHashMap<>();
    JsonNode metaNode = n.get("meta");
    if (metaNode != null && !metaNode.isNull()) {
      if (!metaNode.isObject()) throw new Malformed(at + " meta: expected an object of strings");
      for (Iterator<Map.Entry<String, JsonNode>> it = metaNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) throw new Malformed(at + " meta " + e.getKey() + ": expected a string");
        meta.put(e.getKey(), e.getValue().textValue());
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    JsonNode metricsNode = n.get("metrics");
    if (metricsNode != null && !metricsNode.isNull()) {
      if (!metricsNode.isObject()) throw new Malformed(at + " metrics: expected an object of numbers");
      for (Iterator<Map.Entry<String, JsonNode>> it = metricsNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNumber()) throw new Malformed(at + " metrics " + e.getKey() + ": expected a number");
        metrics.put(e.getKey(), e.getValue().doubleValue());
      }
    }
    return new Span(traceId, Span.tid(meta.get(Span.TID)), spanId, parentId, name, resource, service, type, start, duration, error,
        meta, metrics);
  }

  /**
   * Checks the ids and gives the trace's other spans the high half of a 128-bit trace id: a tracer sends
   * {@code _dd.p.tid} on the first span of a trace chunk only, and the store indexes every span by the whole id.
   */
  private static void finishTrace(List<Span> trace, String at) throws Malformed {
    for (int i = 0; i < trace.size(); i++) {
      Span s = trace.get(i);
      if (s.traceId() == 0) throw new Malformed(at + " span " + i + ": trace_id missing or 0");
      if (s.spanId() == 0) throw new Malformed(at + " span " + i + ": span_id missing or 0");
    }
    TraceIds.completeHighHalves(trace);
  }

  private static int error(long v, String at) throws Malformed {
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new Malformed(at + " error: out of int32 range");
    return (int) v;
  }

  private static String str(MsgpackReader r, String[] dict, String what) throws Malformed {
    long i = r.readUnsigned(what);
    if (i < 0 || i >= dict.length) throw new Malformed(what + ": string index " + Long.toUnsignedString(i) + " outside the table of " + dict.length);
    return dict[(int) i];
  }

  private static void end(MsgpackReader r) throws Malformed {
    if (!r.atEnd()) throw new Malformed("payload: unexpected bytes after the traces at byte " + r.position());
  }

  private static String text(JsonNode n, String field, String at) throws Malformed {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) return "";
    if (!v.isTextual()) throw new Malformed(at + " " + field + ": expected a string");
    return v.textValue();
  }

  private static long unsigned(JsonNode v, String what) throws Malformed {
    if (v == null || v.isNull()) return 0;
    BigInteger i = integral(v, what);
    if (i.signum() < 0 || i.compareTo(MAX_U64) > 0) throw new Malformed(what + ": outside the unsigned 64-bit range");
    return i.longValue();
  }

  private static long signed(JsonNode v, String what) throws Malformed {
    if (v == null || v.isNull()) return 0;
    BigInteger i = integral(v, what);
    if (i.bitLength() > 63) throw new Malformed(what + ": outside the signed 64-bit range");
    return i.longValue();
  }

  private static BigInteger integral(JsonNode v, String what) throws Malformed {
    if (!v.isIntegralNumber()) throw new Malformed(what + ": expected an integer, found " + v.getNodeType().name().toLowerCase());
    return v.bigIntegerValue();
  }
}
