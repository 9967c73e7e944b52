package dev.ddsls.agent.upload;

import dev.ddsls.agent.trace.Span;
import java.util.List;
import java.util.Map;

/** Encodes spans for the Datadog trace intake. */
final class TraceEncoder {
  /** Meta key carrying the high 64 bits of a 128-bit trace id (16 lowercase hex digits). */
  static final String TID_KEY = "_dd.p.tid";

  private TraceEncoder() {}

  /**
   * {@code /v0.4/traces}: an array of traces, each an array of span maps (field order as dd-trace-java's
   * TraceMapperV0_4). {@code _dd.p.tid} goes on the first span of a trace whose id is 128-bit.
   */
  static byte[] v04(List<List<Span>> traces) {
    MsgPackWriter w = new MsgPackWriter(4096);
    w.arrayHeader(traces.size());
    for (int t = 0; t < traces.size(); t++) {
      List<Span> trace = traces.get(t);
      w.arrayHeader(trace.size());
      for (int i = 0; i < trace.size(); i++) span(w, trace.get(i), i == 0);
    }
    return w.toByteArray();
  }

  private static void span(MsgPackWriter w, Span s, boolean first) {
    w.mapHeader(12);
    w.str("service").str(nonNull(s.service()));
    w.str("name").str(nonNull(s.name()));
    w.str("resource").str(nonNull(s.resource()));
    w.str("trace_id").uint64(s.traceId());
    w.str("span_id").uint64(s.spanId());
    w.str("parent_id").uint64(s.parentId());
    w.str("start").int64(s.start());
    w.str("duration").int64(s.duration());
    w.str("type").str(nonNull(s.type()));
    w.str("error").int64(s.error());

    boolean addTid = first && s.traceIdHigh() != 0 && !s.meta().containsKey(TID_KEY);
    int metaCount = addTid ? 1 : 0;
    for (Map.Entry<String, String> e : s.meta().entrySet()) if (e.getKey() != null) metaCount++;
    w.str("meta").mapHeader(metaCount);
    for (Map.Entry<String, String> e : s.meta().entrySet()) {
      if (e.getKey() != null) w.str(e.getKey()).str(nonNull(e.getValue()));
    }
    if (addTid) w.str(TID_KEY).str(hex16(s.traceIdHigh()));

    int metricCount = 0;
    for (Map.Entry<String, Double> e : s.metrics().entrySet()) if (e.getKey() != null && e.getValue() != null) metricCount++;
    w.str("metrics").mapHeader(metricCount);
    for (Map.Entry<String, Double> e : s.metrics().entrySet()) {
      if (e.getKey() != null && e.getValue() != null) w.str(e.getKey()).float64(e.getValue());
    }
  }

  /** 16 lowercase hex digits, zero-padded. */
  static String hex16(long v) {
    String h = Long.toHexString(v);
    if (h.length() == 16) return h;
    StringBuilder sb = new StringBuilder(16);
    for (int i = h.length(); i < 16; i++) sb.append('0');
    return sb.append(h).toString();
  }

  /** The intake's decoders take "" more reliably than nil for string fields. */
  static String nonNull(String s) { return s == null ? "" : s; }
}
