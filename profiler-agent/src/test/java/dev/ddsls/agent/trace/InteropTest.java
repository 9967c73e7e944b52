package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.xray.entities.TraceHeader;
import com.amazonaws.xray.entities.TraceID;
import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.api.internal.Current;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** W3C headers against OpenTelemetry's propagator, X-Ray headers against the AWS X-Ray SDK, both directions. */
class InteropTest {
  private static final TextMapSetter<Map<String, String>> SET = new TextMapSetter<Map<String, String>>() {
    @Override public void set(Map<String, String> carrier, String key, String value) { carrier.put(key, value); }
  };
  private static final TextMapGetter<Map<String, String>> GET = new TextMapGetter<Map<String, String>>() {
    @Override public Iterable<String> keys(Map<String, String> carrier) { return carrier.keySet(); }
    @Override public String get(Map<String, String> carrier, String key) { return carrier == null ? null : carrier.get(key); }
  };

  @Test void w3cWrittenByOpenTelemetryIsRead() {
    SpanContext sc = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getSampled(),
        TraceState.builder().put("dd", "s:2;o:rum;t.dm:-4").put("congo", "t61rcWkgMzE").build());
    Map<String, String> headers = new LinkedHashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(sc)), headers, SET);
    ContextExtractor.Result r = new ContextExtractor.Result();
    TraceContext c = HeaderExtractor.extract(headers, new String[] {TraceSettings.TRACECONTEXT}, r);
    assertEquals(0x4bf92f3577b34da6L, c.traceIdHigh);
    assertEquals(0xa3ce929d0e0e4736L, c.traceId);
    assertEquals(0x00f067aa0ba902b7L, c.parentId);
    assertEquals(2, c.samplingPriority);
    assertEquals("rum", c.origin);
    assertEquals("_dd.p.dm=-4", c.propagationTags);

    SpanContext unsampled = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getDefault(), TraceState.getDefault());
    headers.clear();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(unsampled)), headers, SET);
    assertEquals(0, HeaderExtractor.extract(headers, new String[] {TraceSettings.TRACECONTEXT}, r).samplingPriority);
  }

  @Test void w3cWrittenByTheApiIsReadByOpenTelemetry() {
    String event = "{\"headers\":{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\",\"tracestate\":\"dd=s:2;o:rum;t.dm:-4\"}}";
    InvocationEvent ev = new InvocationEvent("r", 0, null, null, null, Collections.<String, String>emptyMap(),
        event.getBytes(StandardCharsets.UTF_8), System.nanoTime());
    InvocationTrace trace = new InvocationTrace(ev, 0x1122334455667788L, TraceSettings.defaults());
    Current.set(trace);
    try {
      // two types of one name: the handlers' API's TraceContext, beside the agent's
      dev.ddsls.api.TraceContext api = dev.ddsls.api.TraceContext.current();
      assertTrue(api.isActive());
      Map<String, String> out = api.headers();
      SpanContext sc = Span.fromContext(W3CTraceContextPropagator.getInstance().extract(Context.root(), out, GET)).getSpanContext();
      assertTrue(sc.isValid());
      assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", sc.getTraceId());
      assertEquals("1122334455667788", sc.getSpanId());
      assertTrue(sc.isSampled());
      assertEquals("s:2;o:rum;p:1122334455667788;t.dm:-4", sc.getTraceState().get("dd"));
      assertEquals(Long.toUnsignedString(0xa3ce929d0e0e4736L), out.get("x-datadog-trace-id"));
      assertEquals("_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-4", out.get("x-datadog-tags"));
      // and the same context read back by the agent, as the next function would
      TraceContext back = HeaderExtractor.extract(out, new String[] {TraceSettings.DATADOG}, new ContextExtractor.Result());
      assertEquals(0x1122334455667788L, back.parentId);
      assertEquals(0x4bf92f3577b34da6L, back.traceIdHigh);
      assertEquals(2, back.samplingPriority);
    } finally {
      Current.clear(trace);
    }
    // two types of one name: the handlers' API's TraceContext, beside the agent's
    assertFalse(dev.ddsls.api.TraceContext.current().isActive());
  }

  @Test void xrayHeaderOfTheSdkIsConverted() {
    TraceID id = TraceID.fromString("1-5e272390-8c398be037738dc042009320");
    TraceHeader h = new TraceHeader(id, "94ae789b969f1cc5", TraceHeader.SampleDecision.SAMPLED);
    XRay x = XRay.parse(h.toString());
    TraceContext c = x.toDatadog();
    assertEquals(0x37738dc042009320L & Long.MAX_VALUE, c.traceId);
    assertEquals(0x94ae789b969f1cc5L, c.parentId);
    assertEquals(2, c.samplingPriority);
    assertFalse(x.fromDatadog());
    h = new TraceHeader(id, "94ae789b969f1cc5", TraceHeader.SampleDecision.NOT_SAMPLED);
    assertEquals(-1, XRay.parse(h.toString()).toDatadog().samplingPriority);
    // the high bit is masked, as datadog-lambda-python does
    XRay high = XRay.parse("Root=1-5e272390-00000001f0000000000000ff;Parent=0000000000000001;Sampled=1");
    assertEquals(0x70000000000000ffL, high.toDatadog().traceId);
  }

  @Test void datadogToXrayIsReadByTheSdkAndBack() {
    long trace = 0xa3ce929d0e0e4736L, span = 0x00f067aa0ba902b7L;
    String header = XRay.fromDatadog(trace, span, 1, 1_583_348_638L);
    TraceHeader parsed = TraceHeader.fromString(header);
    assertEquals("1-5e5ffb9e-00000000a3ce929d0e0e4736", parsed.getRootTraceId().toString());
    assertEquals("00f067aa0ba902b7", parsed.getParentId());
    assertEquals(TraceHeader.SampleDecision.SAMPLED, parsed.getSampled());
    XRay x = XRay.parse(header);
    assertTrue(x.fromDatadog());
    assertEquals(trace, x.toDatadog().traceId); // all 64 bits: padded roots are not masked
    assertEquals(span, x.toDatadog().parentId);
  }
}
