package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ddsls.agent.TraceFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextExtractorTest {
  static final String XRAY = "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1;Lineage=c6c5b1b9:0";

  private static ContextExtractor.Result extract(String json, String xray, TraceSettings s) {
    return ContextExtractor.extract(json.getBytes(StandardCharsets.UTF_8), xray, null, null, s);
  }

  private static TraceSettings settings(String... env) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < env.length; i += 2) m.put(env[i], env[i + 1]);
    return TraceSettings.from(TraceFixtures.config(m));
  }

  @Test void styleOrderDecidesWhenBothStylesDisagree() {
    String both = "{\"headers\":{\"x-datadog-trace-id\":\"111\",\"x-datadog-parent-id\":\"222\","
        + "\"traceparent\":\"00-0000000000000000000000000000014d-00000000000001bc-01\"}}";
    assertEquals(111L, extract(both, null, settings()).context.traceId);
    assertEquals(333L, extract(both, null, settings("DD_TRACE_PROPAGATION_STYLE_EXTRACT", "tracecontext,datadog")).context.traceId);
    assertEquals(333L, extract(both, null, settings("DD_TRACE_PROPAGATION_STYLE_EXTRACT", "tracecontext")).context.traceId);
    assertNull(extract(both, null, settings("DD_TRACE_PROPAGATION_STYLE_EXTRACT", "none")).context);
  }

  @Test void xrayIsNotTheParentUnlessMerged() {
    ContextExtractor.Result r = extract("{}", XRAY, settings());
    assertNull(r.context);
    assertEquals("1-5e272390-8c398be037738dc042009320", r.xrayTraceId);
    r = extract("{}", XRAY, settings("DD_MERGE_XRAY_TRACES", "true"));
    assertEquals("xray", r.context.source);
    assertEquals(Long.parseUnsignedLong("94ae789b969f1cc5", 16), r.context.parentId);
    // a Datadog context in the event wins over X-Ray even with merge on
    r = extract("{\"_datadog\":{\"x-datadog-trace-id\":\"5\",\"x-datadog-parent-id\":\"6\"}}", XRAY, settings("DD_MERGE_XRAY_TRACES", "true"));
    assertEquals(5L, r.context.traceId);
  }

  @Test void mergedXraySpanIsTaggedAndParentedToTheFunctionSegment() {
    List<Span> spans = TriggerTableTest.spans("{}".getBytes(StandardCharsets.UTF_8), XRAY, null, Collections.singletonMap("DD_MERGE_XRAY_TRACES", "true"));
    Span s = spans.get(0);
    assertEquals("xray", s.meta.get("_dd.parent_source"));
    assertEquals(Long.parseUnsignedLong("94ae789b969f1cc5", 16), s.parentId);
    assertEquals(Long.parseUnsignedLong("37738dc042009320", 16) & Long.MAX_VALUE, s.traceId);
    assertEquals(2.0, s.metrics.get("_sampling_priority_v1"));
    s = TriggerTableTest.spans("{}".getBytes(StandardCharsets.UTF_8), XRAY, null, Collections.<String, String>emptyMap()).get(0);
    assertEquals(0L, s.parentId);
    assertEquals("1-5e272390-8c398be037738dc042009320", s.meta.get("_dd.xray.trace_id"));
  }

  @Test void clientContextCustomCarriesTheContext() {
    String cc = "{\"client\":{},\"custom\":{\"x-datadog-trace-id\":\"77\",\"x-datadog-parent-id\":\"88\",\"x-datadog-sampling-priority\":\"1\"},\"env\":{}}";
    ContextExtractor.Result r = ContextExtractor.extract("{\"a\":1}".getBytes(StandardCharsets.UTF_8), null, cc, null, settings());
    assertEquals(77L, r.context.traceId);
    assertEquals(88L, r.context.parentId);
    assertEquals("client-context", r.context.source);
    cc = "{\"custom\":{\"_datadog\":{\"traceparent\":\"00-0000000000000000000000000000004d-0000000000000058-01\"}}}";
    r = ContextExtractor.extract("[1,2]".getBytes(StandardCharsets.UTF_8), null, cc, null, settings());
    assertEquals(77L, r.context.traceId);
    assertEquals("client-context/tracecontext", r.context.source);
  }

  @Test void managedServicesOffMeansNoInferredSpans() throws Exception {
    List<Span> spans = TriggerTableTest.spans("sqs-string.json", null, Collections.singletonMap("DD_TRACE_MANAGED_SERVICES", "false"));
    assertEquals(1, spans.size());
    assertEquals(987654321L, spans.get(0).parentId);
  }

  @Test void inferredSpanTimesComeFromTheEvent() throws Exception {
    List<Span> spans = TriggerTableTest.spans("sns-sqs-envelope.json", null, Collections.<String, String>emptyMap());
    Span sns = spans.get(0), sqs = spans.get(1);
    assertEquals(1546433107000L * 1_000_000L, sns.start); // Sns.Timestamp 2019-01-02T12:45:07.000Z
    assertEquals(1523232000000L * 1_000_000L, sqs.start); // SentTimestamp
    assertEquals("sns-lambda", sns.resource);
    assertEquals("my-queue", sqs.resource);
    assertEquals("async", sqs.meta.get("_inferred_span.synchronicity"));
    Span api = TriggerTableTest.spans("apigateway-rest.json", null, Collections.<String, String>emptyMap()).get(0);
    assertEquals("POST /{proxy+}", api.resource);
    assertEquals("1234567890.execute-api.us-east-1.amazonaws.com", api.service);
    assertEquals(1428582896000L * 1_000_000L, api.start);
    Span eb = TriggerTableTest.spans("eventbridge.json", null, Collections.<String, String>emptyMap()).get(0);
    assertEquals("orders-bus", eb.resource);
    assertEquals(1583348638000L * 1_000_000L, eb.start);
  }

  @Test void customExtractorIsTriedFirstAndItsFailuresIgnored() {
    TraceSettings s = settings("DD_TRACE_EXTRACTOR", Extractors.class.getName() + "::fromMqtt");
    ContextExtractor.Result r = extract("{\"mqtt\":{\"trace\":\"4242\",\"span\":\"17\"},\"_datadog\":{\"x-datadog-trace-id\":\"1\",\"x-datadog-parent-id\":\"2\"}}", null, s);
    assertEquals(4242L, r.context.traceId);
    assertEquals("custom", r.context.source);
    // returns null: the built-in extraction runs
    r = extract("{\"_datadog\":{\"x-datadog-trace-id\":\"1\",\"x-datadog-parent-id\":\"2\"}}", null, s);
    assertEquals(1L, r.context.traceId);
    TraceSettings raw = settings("DD_TRACE_EXTRACTOR", Extractors.class.getName() + "::fromRaw");
    assertEquals(9L, extract("{\"x\":\"trace=9\"}", null, raw).context.traceId);
    TraceSettings throwing = settings("DD_TRACE_EXTRACTOR", Extractors.class.getName() + "::failing");
    assertEquals(1L, extract("{\"_datadog\":{\"x-datadog-trace-id\":\"1\",\"x-datadog-parent-id\":\"2\"}}", null, throwing).context.traceId);
    TraceSettings missing = settings("DD_TRACE_EXTRACTOR", "com.example.Missing::nope");
    assertEquals(1L, extract("{\"_datadog\":{\"x-datadog-trace-id\":\"1\",\"x-datadog-parent-id\":\"2\"}}", null, missing).context.traceId);
  }

  /** A user's extractor class, as DD_TRACE_EXTRACTOR names it. */
  public static final class Extractors {
    public static Map<String, String> fromMqtt(Map<String, Object> event) {
      Object mqtt = event.get("mqtt");
      if (!(mqtt instanceof Map)) return null;
      Map<String, String> h = new LinkedHashMap<>();
      h.put("x-datadog-trace-id", String.valueOf(((Map<?, ?>) mqtt).get("trace")));
      h.put("x-datadog-parent-id", String.valueOf(((Map<?, ?>) mqtt).get("span")));
      return h;
    }

    public static Map<String, String> fromRaw(byte[] payload) {
      String s = new String(payload, StandardCharsets.UTF_8);
      int i = s.indexOf("trace=");
      Map<String, String> h = new LinkedHashMap<>();
      h.put("x-datadog-trace-id", s.substring(i + 6, i + 7));
      h.put("x-datadog-parent-id", "3");
      return h;
    }

    public static Map<String, String> failing(String payload) { throw new IllegalStateException("user bug"); }
  }

  @Test void propagationTagsAndOriginCarriedOntoSpans() throws Exception {
    Span lambda = TriggerTableTest.spans("apigateway-http.json", null, Collections.<String, String>emptyMap()).get(1);
    assertEquals("rum", lambda.meta.get("_dd.origin"));
    assertEquals("-4", lambda.meta.get("_dd.p.dm"));
    assertEquals("66bcb5eb00000000", lambda.meta.get("_dd.p.tid"));
    assertNotNull(lambda.meta.get("ddsls.context_source"));
  }
}
