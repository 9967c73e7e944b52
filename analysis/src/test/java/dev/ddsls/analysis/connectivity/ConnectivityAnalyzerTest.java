package dev.ddsls.analysis.connectivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.analysis.trace.XRaySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectivityAnalyzerTest {
  static Span span(long trace, long id, long parent, String name, String service, long start, Map<String, String> meta,
                   Map<String, Double> metrics) {
    return new Span(trace, id, parent, name, service, service, "", start, 1_000_000, 0, new HashMap<>(meta), new HashMap<>(metrics));
  }

  static Span lambda(long trace, long id, long parent, String trigger, long start, Map<String, String> extra) {
    Map<String, String> meta = new HashMap<>(extra);
    meta.put("functionname", "f");
    if (trigger != null) meta.put("function_trigger.event_source", trigger);
    return span(trace, id, parent, "aws.lambda", "f", start, meta, Map.of());
  }

  static List<String> ids(ConnectivityReport r) { return r.findings().stream().map(Finding::id).toList(); }

  @Test
  void inferredHopIsWalkedAndAnomaliesAreFound() {
    List<Span> spans = List.of(
        span(1, 10, 0, "http.request", "producer", 1_000_000_000L, Map.of("env", "prod"), Map.of("_sampling_priority_v1", 1.0)),
        span(1, 11, 10, "aws.sqs", "orders", 1_100_000_000L, Map.of("env", "staging"), Map.of("_dd._inferred_span", 1.0)),
        lambda(1, 12, 11, "sqs", 1_200_000_000L, Map.of("env", "staging")),
        // child starts 500 ms before its parent; sampling changes inside trace 2
        span(2, 20, 0, "http.request", "web", 2_000_000_000L, Map.of(), Map.of("_sampling_priority_v1", 1.0)),
        span(2, 21, 20, "aws.lambda", "f", 1_500_000_000L, Map.of("functionname", "f", "function_trigger.event_source", "api-gateway"),
            Map.of("_sampling_priority_v1", -1.0)),
        lambda(3, 30, 999, "eventbridge", 3_000_000_000L, Map.of()),
        lambda(4, 40, 0, "sqs", 4_000_000_000L, Map.of("_dd.propagation_error", "malformed x-datadog-parent-id")),
        lambda(5, 50, 0, "api-gateway", 5_000_000_000L, Map.of()));
    ConnectivityReport r = ConnectivityAnalyzer.analyze(spans, s -> true, List.of());
    assertEquals(5, r.invocationSpans());
    assertEquals(2, r.connected());
    assertEquals(1, r.orphans());
    assertEquals(2, r.roots());
    assertEquals(1, r.broken(), "an API Gateway root without context is a legitimate start; the SQS one with an error is not");
    assertEquals("producer", r.edges().stream().filter(e -> e.trigger().equals("sqs") && e.invocations() == 1
        && !e.from().equals("(none)")).findFirst().orElseThrow().from());
    List<String> kinds = r.anomalies().stream().map(ConnectivityReport.Anomaly::kind).toList();
    assertTrue(kinds.contains("child-before-parent") && kinds.contains("sampling-changed"), kinds.toString());
    List<String> ids = ids(r);
    assertTrue(ids.containsAll(List.of("orphan-spans", "context-not-propagated", "env-tag-mismatch")), ids.toString());
  }

  @Test
  void xrayJoinedAndNotJoined() {
    String merged = "1-5e272390-8c398be037738dc042009320";
    String separate = "1-5e272391-000000000000000000000abc";
    long trace = XRaySegment.datadogTraceId(merged);
    List<Span> spans = List.of(
        lambda(trace, 1, XRaySegment.datadogSpanId("94ae789b969f1cc5"), null, 1, Map.of("_dd.parent_source", "xray")),
        lambda(77, 2, 0, null, 2, Map.of("_dd.xray.trace_id", separate)));
    List<XRaySegment> segs = List.of(new XRaySegment(merged, "94ae789b969f1cc5", null, "f", "AWS::Lambda::Function"),
        new XRaySegment(separate, "1111111111111111", null, "f", "AWS::Lambda::Function"));
    ConnectivityReport r = ConnectivityAnalyzer.analyze(spans, s -> true, segs);
    assertEquals(2, r.xray().invocationsWithXRayId());
    assertEquals(1, r.xray().joined());
    assertEquals(1, r.xray().notJoined());
    assertEquals(List.of("2"), r.xray().notJoinedSpanIds());
    assertTrue(ids(r).contains("xray-not-merged"));
  }
}
