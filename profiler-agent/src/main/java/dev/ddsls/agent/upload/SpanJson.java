package dev.ddsls.agent.upload;

import dev.ddsls.agent.trace.Span;
import dev.ddsls.formats.span.SpanJsonWriter;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

/** Spans as JSON lines (spans-*.jsonl), in the shape every side of ddsls writes and reads ({@link SpanJsonWriter}). */
final class SpanJson {
  private SpanJson() {}

  /**
   * The spans, one line each. A 128-bit trace id's high half is in meta {@code _dd.p.tid} on every span (a line
   * stands alone, so there is no "first span").
   */
  static byte[] lines(List<Span> spans) {
    SpanJsonWriter w = new SpanJsonWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream(spans.size() * 400);
    for (int i = 0; i < spans.size(); i++) {
      write(w, spans.get(i));
      out.write(w.buffer(), 0, w.length());
      out.write('\n');
    }
    return out.toByteArray();
  }

  static void write(SpanJsonWriter w, Span s) {
    w.start(s.traceId(), s.spanId(), s.parentId(), s.name(), s.resource(), s.service(), s.type(), s.start(), s.duration(), s.error());
    for (Map.Entry<String, String> e : s.meta().entrySet()) w.meta(e.getKey(), e.getValue());
    if (s.traceIdHigh() != 0 && !s.meta().containsKey(TraceEncoder.TID_KEY)) w.meta(TraceEncoder.TID_KEY, TraceEncoder.hex16(s.traceIdHigh()));
    for (Map.Entry<String, Double> e : s.metrics().entrySet()) {
      if (e.getValue() != null) w.metric(e.getKey(), e.getValue());
    }
    w.end();
  }
}
