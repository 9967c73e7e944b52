package dev.ddsls.cli.collect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/** Real intake payloads, encoded with msgpack-core (independent of the collector's decoder). */
final class Payloads {
  static final String BOUNDARY = "ddsls-test-boundary-7Hq2";

  /** A span in Datadog's fields; ids are unsigned 64-bit patterns. */
  static final class S {
    long traceId, spanId, parentId, start, duration;
    int error;
    String service = "svc", name = "op", resource = "res", type = "web";
    final Map<String, String> meta = new LinkedHashMap<>();
    final Map<String, Double> metrics = new LinkedHashMap<>();

    S(long traceId, long spanId, long parentId, long start) {
      this.traceId = traceId;
      this.spanId = spanId;
      this.parentId = parentId;
      this.start = start;
      this.duration = 1_000_000;
    }

    S meta(String k, String v) { meta.put(k, v); return this; }

    S metric(String k, double v) { metrics.put(k, v); return this; }

    S service(String s) { service = s; return this; }
  }

  static void unsigned(MessagePacker p, long v) throws IOException {
    if (v >= 0) p.packLong(v); else p.packBigInteger(new BigInteger(Long.toUnsignedString(v)));
  }

  /** /v0.4/traces: an array of traces, each an array of span maps, in dd-trace-java's field order. */
  static byte[] v04(List<List<S>> traces) throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(traces.size());
    for (List<S> trace : traces) {
      p.packArrayHeader(trace.size());
      for (S s : trace) {
        p.packMapHeader(12);
        p.packString("service").packString(s.service);
        p.packString("name").packString(s.name);
        p.packString("resource").packString(s.resource);
        p.packString("trace_id"); unsigned(p, s.traceId);
        p.packString("span_id"); unsigned(p, s.spanId);
        p.packString("parent_id"); unsigned(p, s.parentId);
        p.packString("start").packLong(s.start);
        p.packString("duration").packLong(s.duration);
        p.packString("type").packString(s.type);
        p.packString("error").packInt(s.error);
        p.packString("meta").packMapHeader(s.meta.size());
        for (Map.Entry<String, String> e : s.meta.entrySet()) p.packString(e.getKey()).packString(e.getValue());
        p.packString("metrics").packMapHeader(s.metrics.size());
        for (Map.Entry<String, Double> e : s.metrics.entrySet()) p.packString(e.getKey()).packDouble(e.getValue());
      }
    }
    return p.toByteArray();
  }

  /** /v0.5/traces: [string table, traces of 12-element span arrays]. */
  static byte[] v05(List<List<S>> traces) throws IOException {
    List<String> table = new ArrayList<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    Function<String, Integer> idx = s -> index.computeIfAbsent(s, k -> { table.add(k); return table.size() - 1; });
    idx.apply("");
    for (List<S> trace : traces) {
      for (S s : trace) {
        idx.apply(s.service); idx.apply(s.name); idx.apply(s.resource); idx.apply(s.type);
        s.meta.forEach((k, v) -> { idx.apply(k); idx.apply(v); });
        s.metrics.keySet().forEach(idx::apply);
      }
    }
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(2);
    p.packArrayHeader(table.size());
    for (String s : table) p.packString(s);
    p.packArrayHeader(traces.size());
    for (List<S> trace : traces) {
      p.packArrayHeader(trace.size());
      for (S s : trace) {
        p.packArrayHeader(12);
        p.packInt(index.get(s.service)).packInt(index.get(s.name)).packInt(index.get(s.resource));
        unsigned(p, s.traceId); unsigned(p, s.spanId); unsigned(p, s.parentId);
        p.packLong(s.start).packLong(s.duration).packInt(s.error);
        p.packMapHeader(s.meta.size());
        for (Map.Entry<String, String> e : s.meta.entrySet()) p.packInt(index.get(e.getKey())).packInt(index.get(e.getValue()));
        p.packMapHeader(s.metrics.size());
        for (Map.Entry<String, Double> e : s.metrics.entrySet()) p.packInt(index.get(e.getKey())).packDouble(e.getValue());
        p.packInt(index.get(s.type));
      }
    }
    return p.toByteArray();
  }

  /** JSON /v0.4/traces, ids as unsigned decimal numbers. */
  static byte[] json(List<List<S>> traces) {
    StringBuilder sb = new StringBuilder("[");
    for (int t = 0; t < traces.size(); t++) {
      sb.append(t == 0 ? "[" : ",[");
      List<S> trace = traces.get(t);
      for (int i = 0; i < trace.size(); i++) {
        S s = trace.get(i);
        sb.append(i == 0 ? "" : ",").append("{\"trace_id\":").append(Long.toUnsignedString(s.traceId))
            .append(",\"span_id\":").append(Long.toUnsignedString(s.spanId))
            .append(",\"parent_id\":").append(Long.toUnsignedString(s.parentId))
            .append(",\"name\":\"").append(s.name).append("\",\"resource\":\"").append(s.resource)
            .append("\",\"service\":\"").append(s.service).append("\",\"type\":\"").append(s.type)
            .append("\",\"start\":").append(s.start).append(",\"duration\":").append(s.duration)
            .append(",\"error\":").append(s.error).append(",\"meta\":{");
        int m = 0;
        for (Map.Entry<String, String> e : s.meta.entrySet()) sb.append(m++ == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
        sb.append("},\"metrics\":{");
        m = 0;
        for (Map.Entry<String, Double> e : s.metrics.entrySet()) sb.append(m++ == 0 ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
        sb.append("}}");
      }
      sb.append(']');
    }
    return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A small, well-formed pprof Profile message (string table and one sample type), gzip-compressed. */
  static byte[] pprofGz() throws IOException {
    ByteArrayOutputStream pb = new ByteArrayOutputStream();
    for (String s : new String[] {"", "cpu-samples", "count"}) {
      pb.write(0x32); // field 6 string_table, length-delimited
      pb.write(s.length());
      pb.write(s.getBytes(StandardCharsets.US_ASCII));
    }
    pb.write(new byte[] {0x0a, 0x04, 0x08, 0x01, 0x10, 0x02}); // sample_type {type: 1, unit: 2}
    pb.write(new byte[] {0x48, (byte) 0x80, (byte) 0x94, (byte) 0xeb, (byte) 0xdc, 0x03}); // time_nanos
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) { out.write(pb.toByteArray()); }
    return gz.toByteArray();
  }

  /** A multipart profile upload: the event part, then one part per attachment (Java names its part "main"). */
  static byte[] profile(String eventJson, Map<String, byte[]> filesByName, Map<String, String> partNames) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"event\"; filename=\"event.json\"\r\n"
        + "Content-Type: application/json\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.UTF_8));
    out.write(eventJson.getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> f : filesByName.entrySet()) {
      String part = partNames.getOrDefault(f.getKey(), f.getKey());
      out.write(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + part + "\"; filename=\"" + f.getKey()
          + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.write(f.getValue());
    }
    out.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static String event(String service, String start, String end, String... attachments) {
    StringBuilder names = new StringBuilder();
    for (String a : attachments) names.append(names.length() == 0 ? "" : ",").append('"').append(a).append('"');
    return "{\"attachments\":[" + names + "],\"start\":\"" + start + "\",\"end\":\"" + end + "\",\"family\":\"java\",\"version\":\"4\","
        + "\"tags_profiler\":\"service:" + service + ",language:jvm,functionname:" + service + "-fn,runtime-id:abc,snapshot:on-demand\"}";
  }

  static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;
}
