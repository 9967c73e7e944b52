package dev.ddsls.analysis.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateTest {
  static GateConfig thresholds(String... rules) {
    return GateConfig.empty().plus(List.of(rules).stream().map(r -> Threshold.parse(r, Level.ERROR)).toList(), List.of());
  }

  static GateConfig regressions(String... rules) {
    return GateConfig.empty().plus(List.of(), List.of(rules).stream().map(r -> Regression.parse(r, Level.ERROR)).toList());
  }

  static Outcome only(GateResult r) {
    assertEquals(1, r.outcomes().size(), r.outcomes().toString());
    return r.outcomes().get(0);
  }

  @Test
  void parsesK6StyleThresholds() {
    Threshold t = Threshold.parse("init.p(99.9) <= 3s", Level.ERROR);
    assertEquals("init", t.metric());
    assertEquals(99.9, t.aggregation().percent());
    assertEquals("<=", t.operator());
    assertEquals("s", t.unit());
    assertEquals(1000, t.aggregation().samplesNeeded());
    Threshold w = Threshold.parse("warn:phases.runtimeInit.med>100", Level.ERROR);
    assertEquals(Level.WARN, w.level());
    assertEquals("phases.runtimeInit.med>100", w.text());
    assertEquals("phases.runtimeInit", w.metric());
    assertEquals(50, w.aggregation().percent());
    Threshold r = Threshold.parse("connectivity.connected>=0.99", Level.ERROR);
    assertEquals("connectivity.connected", r.metric());
    assertNull(r.aggregation());
    Threshold c = Threshold.parse("runs.ok.count>=10", Level.ERROR);
    assertEquals("runs.ok", c.metric());
    assertEquals(Aggregation.Kind.COUNT, c.aggregation().kind());
    assertThrows(RuleException.class, () -> Threshold.parse("init.p90 < fast", Level.ERROR));
    assertEquals(100, Aggregation.parse("p99").samplesNeeded());
    assertEquals(10, Aggregation.parse("p(90)").samplesNeeded());
  }

  /** coldstart --snapstart results: restores are samples, a failed restore is a status the gate knows. */
  @Test
  void snapStartRunsGiveRestoreSamplesAndTheirErrorRate() {
    var root = Docs.coldstart(new double[] {900, 950, 1000, 1050});
    double[] restore = {4.0, 6.0, 5.0};
    for (int i = 0; i < 3; i++) ((ObjectNode) root.get("runs").get(i)).put("restoreMs", restore[i]);
    ObjectNode failed = (ObjectNode) root.get("runs").get(3);
    failed.put("status", "restore-error");
    failed.putNull("restoreMs");
    GateDocument doc = GateDocument.parse(root, null);
    GateResult r = Gate.evaluate(thresholds("restore.max<=6ms", "restore.count>=3", "runs.restoreError<=10%"), doc, null);
    List<Outcome> o = r.outcomes();
    assertEquals(Outcome.Verdict.PASS, o.get(0).verdict(), o.get(0).message());
    assertEquals(6.0, o.get(0).candidate());
    assertEquals(Outcome.Verdict.PASS, o.get(1).verdict(), o.get(1).message());
    assertEquals(Outcome.Verdict.FAIL, o.get(2).verdict(), o.get(2).message());
    assertEquals(0.25, o.get(2).candidate());
  }

  @Test
  void thresholdsPassAndFailOnColdstartSamples() {
    GateDocument doc = Docs.coldstartDoc(Docs.normal(20, 1000, 50, 1));
    GateResult r = Gate.evaluate(thresholds("init.p90<1500ms", "init.p90<0.9s", "runs.ok>=99%", "warmInvocation.max<=3"), doc, null);
    List<Outcome> o = r.outcomes();
    assertEquals(Outcome.Verdict.PASS, o.get(0).verdict());
    assertEquals(Outcome.Verdict.FAIL, o.get(1).verdict());
    assertTrue(o.get(1).message().contains("is not < 900 ms"), o.get(1).message());
    assertEquals(Outcome.Verdict.PASS, o.get(2).verdict());
    assertEquals(1.0, o.get(2).candidate());
    assertEquals(3.0, o.get(3).candidate());
    assertFalse(r.passed());
  }

  @Test
  void billedDurationMetricsReadEachRunsListsAndSkipNulls() throws Exception {
    // Run 1: three invocations, the last one's asks never came (null); run 2: written before Duration was measured.
    GateDocument doc = GateDocument.parse(new ObjectMapper().readTree("""
        {"schema":"ddsls.coldstart/v1","handler":"h","runs":[
          {"run":1,"status":"ok","initMs":300,"invocationsMs":[40.1,2.0,2.2],
           "durationMs":[95.5,2.5,null],"postRuntimeMs":[55.25,0.4,null]},
          {"run":2,"status":"ok","initMs":310,"invocationsMs":[41.0,2.1]}]}
        """), null);
    List<Outcome> o = Gate.evaluate(thresholds("firstDuration.count==1", "warmDuration.count==1", "warmDuration.max<=2.5ms",
        "warmPostRuntime.max<0.4ms", "firstPostRuntime.min>=55.25"), doc, null).outcomes();
    assertEquals(Outcome.Verdict.PASS, o.get(0).verdict(), o.get(0).message());
    assertEquals(Outcome.Verdict.PASS, o.get(1).verdict(), "the null is left out: " + o.get(1).message());
    assertEquals(Outcome.Verdict.PASS, o.get(2).verdict(), o.get(2).message());
    assertEquals(Outcome.Verdict.FAIL, o.get(3).verdict(), o.get(3).message());
    assertEquals(0.4, o.get(3).candidate());
    assertEquals(Outcome.Verdict.PASS, o.get(4).verdict(), o.get(4).message());

    GateDocument old = Docs.coldstartDoc(Docs.normal(20, 1000, 50, 1));
    Outcome none = only(Gate.evaluate(thresholds("warmDuration.p50<1ms"), old, null));
    assertTrue(none.insufficient(), "results without durationMs have no samples: " + none.message());
  }

  @Test
  void unknownMetricIsARuleErrorNeverIgnored() {
    GateDocument doc = Docs.coldstartDoc(Docs.normal(20, 1000, 50, 1));
    RuleException e = assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("inti.p90<1500ms"), doc, null));
    assertTrue(e.getMessage().startsWith("unknown metric 'inti' for ddsls.coldstart/v1"), e.getMessage());
    assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("connectivity.connected>=0.99"), doc, null));
    assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("init<1500"), doc, null), "needs an aggregation");
    assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("init.rate<1"), doc, null));
    assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("runs.ok>=99ms"), doc, null), "unit");
    assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("init.p90<50%"), doc, null), "unit");
  }

  @Test
  void tooFewSamplesIsInsufficientDataAtTheRulesLevel() {
    GateDocument doc = Docs.coldstartDoc(Docs.normal(20, 1000, 50, 1));
    Outcome err = only(Gate.evaluate(thresholds("init.p99<5000ms"), doc, null));
    assertEquals(Outcome.Verdict.FAIL, err.verdict());
    assertTrue(err.insufficient());
    assertEquals(100, err.needed());
    assertEquals(20, err.have());
    assertEquals("insufficient data: init p99 needs at least 100 samples, has 20", err.message());
    Outcome warn = only(Gate.evaluate(thresholds("warn:init.p99<5000ms"), doc, null));
    assertEquals(Outcome.Verdict.WARN, warn.verdict());
    // Without the agent there are no phases: the metric exists but has no data.
    GateDocument noAgent = withoutPhases();
    Outcome none = only(Gate.evaluate(thresholds("phases.jvm.max<100"), noAgent, null));
    assertTrue(none.insufficient());
    assertEquals(0, none.have());
  }

  private static GateDocument withoutPhases() {
    var root = Docs.coldstart(new double[] {900, 950, 1000});
    for (var run : root.get("runs")) ((ObjectNode) run).putNull("phasesMs");
    return GateDocument.parse(root, null);
  }

  @Test
  void regressionOf300msFails() {
    GateDocument base = Docs.coldstartDoc(Docs.normal(20, 1000, 40, 1));
    GateDocument cand = Docs.coldstartDoc(Docs.normal(20, 1300, 40, 2));
    Outcome o = only(Gate.evaluate(regressions("init.p50:10%"), cand, base));
    assertEquals(Outcome.Verdict.FAIL, o.verdict(), o.message());
    assertTrue(o.p() < 0.001, "p=" + o.p());
    assertTrue(o.changeLower() > 0.10, "lower=" + o.changeLower());
    assertTrue(o.message().contains("regression: slower than tolerated +10.0%"), o.message());
  }

  @Test
  void sameDistributionPasses() {
    GateDocument base = Docs.coldstartDoc(Docs.normal(20, 1000, 40, 1));
    GateDocument cand = Docs.coldstartDoc(Docs.normal(20, 1000, 40, 3));
    GateResult r = Gate.evaluate(regressions("init.p50:10%", "init.p90:10%", "init.avg:5%"), cand, base);
    for (Outcome o : r.outcomes()) assertEquals(Outcome.Verdict.PASS, o.verdict(), o.message());
    assertTrue(r.passed());
  }

  @Test
  void significantButSmallShiftIsTolerated() {
    GateDocument base = Docs.coldstartDoc(Docs.normal(40, 1000, 10, 1));
    GateDocument cand = Docs.coldstartDoc(Docs.normal(40, 1040, 10, 4));
    Outcome o = only(Gate.evaluate(regressions("init.p50:10%"), cand, base));
    assertTrue(o.p() < 0.05);
    assertEquals(Outcome.Verdict.PASS, o.verdict(), o.message());
    assertTrue(o.message().contains("within tolerated +10.0%"), o.message());
    // The same shift with a 1% tolerance is a regression.
    assertEquals(Outcome.Verdict.FAIL, only(Gate.evaluate(regressions("init.p50:1%"), cand, base)).verdict());
  }

  @Test
  void regressionWithTooFewRunsIsInsufficient() {
    GateDocument base = Docs.coldstartDoc(Docs.normal(5, 1000, 40, 1));
    GateDocument cand = Docs.coldstartDoc(Docs.normal(30, 1300, 40, 2));
    Outcome o = only(Gate.evaluate(regressions("init.p50:10%"), cand, base));
    assertTrue(o.insufficient());
    assertEquals(Outcome.Verdict.FAIL, o.verdict());
    assertEquals(9, o.needed());
    assertTrue(o.message().contains("needs at least 9 samples per side, has baseline 5, candidate 30"), o.message());
    Outcome p99 = only(Gate.evaluate(regressions("warn:init.p99:10%"), cand, Docs.coldstartDoc(Docs.normal(30, 1000, 40, 1))));
    assertEquals(100, p99.needed());
    assertEquals(Outcome.Verdict.WARN, p99.verdict());
  }

  @Test
  void regressionNeedsABaselineAndRawSamples() throws Exception {
    GateDocument cand = Docs.coldstartDoc(Docs.normal(20, 1000, 40, 2));
    assertThrows(RuleException.class, () -> Gate.evaluate(regressions("init.p50:10%"), cand, null));
    GateDocument diag = GateDocument.parse(Docs.diagnose(), null);
    RuleException e = assertThrows(RuleException.class, () -> Gate.evaluate(regressions("init.p50:10%"), diag, diag));
    assertTrue(e.getMessage().contains("needs raw samples"), e.getMessage());
    assertThrows(RuleException.class, () -> Gate.evaluate(regressions("init.p50:10%"), cand, diag));
    assertThrows(RuleException.class, () -> Regression.parse("init.max:10%", Level.ERROR));
  }

  @Test
  void diagnoseMetrics() throws Exception {
    GateDocument diag = GateDocument.parse(Docs.diagnose(), null);
    GateResult r = Gate.evaluate(thresholds("connectivity.connected>=0.99", "connectivity.orphans.count<=1",
        "coldStarts.rate<=0.05", "findings.high==0", "init.p90<2s", "initCpu<1000", "invocations>=100"), diag, null);
    List<Outcome> o = r.outcomes();
    assertEquals(Outcome.Verdict.FAIL, o.get(0).verdict());
    assertEquals(118.0 / 120, o.get(0).candidate(), 1e-12);
    assertEquals("connectivity", o.get(0).subject());
    assertEquals(Outcome.Verdict.PASS, o.get(1).verdict());
    assertEquals(Outcome.Verdict.PASS, o.get(2).verdict());
    assertEquals(0.05, o.get(2).candidate(), 1e-12);
    assertEquals(Outcome.Verdict.FAIL, o.get(3).verdict());
    assertEquals("orders", o.get(3).subject());
    assertEquals(Outcome.Verdict.FAIL, o.get(4).verdict(), "p90 needs 10 cold starts, the report has 6");
    assertTrue(o.get(4).insufficient());
    assertEquals(Outcome.Verdict.PASS, o.get(5).verdict());
    assertEquals(Outcome.Verdict.PASS, o.get(6).verdict());
    RuleException e = assertThrows(RuleException.class, () -> Gate.evaluate(thresholds("init.p(95)<2000"), diag, null));
    assertTrue(e.getMessage().contains("p50 (med), p90, p99, max, count"), e.getMessage());
  }

  @Test
  void configFileForms() throws Exception {
    GateConfig c = GateConfig.fromJson(Docs.JSON.readTree("""
        { "alpha": 0.01, "resamples": 2000, "seed": 7,
          "thresholds": { "init": ["p(90)<1500", {"threshold": "max<3s", "level": "warn"}], "runs.ok": ">=0.99" },
          "regressions": ["init.p50:10%", {"regression": "init.p90:20%", "level": "warn"}] }
        """));
    assertEquals(0.01, c.settings().alpha());
    assertEquals(2000, c.settings().resamples());
    assertEquals(7, c.settings().seed());
    assertEquals(List.of("init.p(90)<1500", "init.max<3s", "runs.ok>=0.99"), c.thresholds().stream().map(Threshold::text).toList());
    assertEquals(Level.WARN, c.thresholds().get(1).level());
    assertEquals(Level.WARN, c.regressions().get(1).level());
    assertEquals(0.2, c.regressions().get(1).tolerance(), 1e-12);
    assertThrows(RuleException.class, () -> GateConfig.fromJson(Docs.JSON.readTree("{\"treshold\": []}")));
    assertThrows(RuleException.class, () -> GateConfig.fromJson(Docs.JSON.readTree("{\"alpha\": 2}")));
    assertThrows(RuleException.class, () -> GateConfig.fromJson(Docs.JSON.readTree("{\"thresholds\": [{\"threshold\": \"init.p50<1\", \"levle\": \"warn\"}]}")));
  }

  @Test
  void unreadableDocuments() throws Exception {
    assertThrows(InputException.class, () -> GateDocument.parse(Docs.JSON.readTree("{\"schema\": \"other/v1\"}"), null));
    assertThrows(InputException.class, () -> GateDocument.parse(Docs.JSON.readTree("[1]"), null));
    assertThrows(InputException.class, () -> GateDocument.parse(Docs.JSON.readTree("{\"schema\": \"ddsls.coldstart/v1\"}"), null));
  }
}
