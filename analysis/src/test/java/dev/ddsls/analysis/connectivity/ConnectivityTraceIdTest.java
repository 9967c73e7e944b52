package dev.ddsls.analysis.connectivity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.trace.Span;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Traces link by the low half of their id; anomalies and findings print the whole id where a span carries it. */
class ConnectivityTraceIdTest {
  static final long HIGH = 0x6502f1a400000000L;

  @Test
  void anomaliesAndFindingsNameTheWholeTraceId() {
    // One 128-bit trace (only its first span knows the high half) whose services disagree on env and sampling.
    Span caller = span(HIGH, 1, 0, "web.request", "shop", "prod", 1.0);
    Span invocation = span(0, 2, 1, Span.INVOCATION, "fn", "staging", 2.0);
    ConnectivityReport r = ConnectivityAnalyzer.analyze(List.of(caller, invocation), s -> true, List.of());

    String whole = "6502f1a40000000000000000000000" + "07";
    assertEquals(List.of("sampling-changed"), r.anomalies().stream().map(ConnectivityReport.Anomaly::kind).toList());
    assertEquals(whole, r.anomalies().get(0).traceId());
    Finding env = r.findings().stream().filter(f -> f.id().equals("env-tag-mismatch")).findFirst().orElseThrow();
    assertEquals(List.of(whole), env.evidence().get("traceIds"));
    assertEquals(1, r.connected(), "linked by the low half");
  }

  static Span span(long high, long id, long parent, String name, String service, String env, double priority) {
    return new Span(7, high, id, parent, name, service, service, "web", 1_000_000_000L * id, 1_000_000, 0,
        Map.of("env", env, "functionname", service), Map.of("_sampling_priority_v1", priority));
  }
}
