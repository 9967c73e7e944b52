package dev.ddsls.analysis.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Metrics of a {@code ddsls.diagnose/v1} report: percentile summaries per function plus report-wide connectivity. */
final class DiagnoseMetrics {
  static final String CONNECTIVITY = "connectivity";

  private DiagnoseMetrics() {}

  static GateDocument read(JsonNode root) {
    List<GateDocument.Subject> subjects = new ArrayList<>();
    for (JsonNode fn : root.path("functions")) {
      Map<String, Metric> m = new LinkedHashMap<>();
      m.put("init", summary(fn.get("initMs")));
      JsonNode phases = fn.path("phasesMs");
      m.put("firstInvocation", summary(phases.get("firstInvocation")));
      m.put("phases.jvm", summary(phases.get("jvm")));
      m.put("phases.agent", summary(phases.get("agent")));
      m.put("phases.runtimeInit", summary(phases.get("runtimeInit")));
      Double invocations = number(fn.get("invocations"));
      Double coldStarts = number(fn.get("coldStarts"));
      m.put("invocations", new Metric.Scalar(invocations));
      m.put("coldStarts", new Metric.Ratio(coldStarts == null ? 0 : coldStarts.longValue(),
          invocations == null ? 0 : invocations.longValue()));
      m.put("coldInvocationPenalty", new Metric.Scalar(number(fn.get("coldInvocationPenaltyMs"))));
      m.put("initCpu", new Metric.Scalar(number(fn.path("init").get("cpuMs"))));
      m.put("initWall", new Metric.Scalar(number(fn.path("init").get("wallMs"))));
      JsonNode findings = fn.get("findings");
      m.put("findings", findingCount(findings, null));
      for (String severity : new String[] {"high", "medium", "low"}) {
        m.put("findings." + severity, findingCount(findings, severity));
      }
      String name = fn.path("function").asText("");
      subjects.add(new GateDocument.Subject(name.isEmpty() ? "function" : name, m, List.of()));
    }
    JsonNode c = root.get("connectivity");
    if (c != null && c.isObject()) {
      long spans = c.path("invocationSpans").asLong(0);
      Map<String, Metric> m = new LinkedHashMap<>();
      m.put("connectivity.connected", new Metric.Ratio(c.path("connected").asLong(0), spans));
      m.put("connectivity.orphans", new Metric.Ratio(c.path("orphans").asLong(0), spans));
      m.put("connectivity.roots", new Metric.Ratio(c.path("roots").asLong(0), spans));
      m.put("connectivity.invocationSpans", new Metric.Scalar(number(c.get("invocationSpans"))));
      m.put("connectivity.findings", findingCount(c.get("findings"), null));
      subjects.add(new GateDocument.Subject(CONNECTIVITY, m, List.of()));
    }
    return new GateDocument(MetricCatalog.DIAGNOSE, List.copyOf(subjects));
  }

  private static Metric.Summary summary(JsonNode p) {
    if (p == null || !p.isObject()) return new Metric.Summary(0, null, null, null, null);
    return new Metric.Summary(p.path("n").asInt(0), number(p.get("p50")), number(p.get("p90")),
        number(p.get("p99")), number(p.get("max")));
  }

  private static Metric.Scalar findingCount(JsonNode findings, String severity) {
    if (findings == null || !findings.isArray()) return new Metric.Scalar(null);
    int n = 0;
    for (JsonNode f : findings) if (severity == null || severity.equals(f.path("severity").asText())) n++;
    return new Metric.Scalar((double) n);
  }

  private static Double number(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return null;
    if (!v.isNumber()) throw new InputException("expected a number, got " + v);
    return v.asDouble();
  }
}
