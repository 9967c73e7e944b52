package dev.ddsls.analysis.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Metrics of a {@code ddsls.coldstart/v1} results document: raw per-run samples, so regressions can be tested. */
final class ColdstartMetrics {
  private ColdstartMetrics() {}

  static GateDocument read(JsonNode root, Path baseDir) {
    JsonNode runs = root.path("runs");
    if (!runs.isArray()) throw new InputException("ddsls.coldstart/v1 document without a runs array");
    List<Double> init = new ArrayList<>(), first = new ArrayList<>(), warm = new ArrayList<>();
    List<Double> jvm = new ArrayList<>(), agent = new ArrayList<>(), runtimeInit = new ArrayList<>();
    List<Double> firstDuration = new ArrayList<>(), warmDuration = new ArrayList<>();
    List<Double> firstPostRuntime = new ArrayList<>(), warmPostRuntime = new ArrayList<>();
    List<Double> restore = new ArrayList<>();
    long ok = 0, initError = 0, restoreError = 0, error = 0, timeout = 0;
    List<Path> profiles = new ArrayList<>();
    for (JsonNode run : runs) {
      String status = run.path("status").asText("");
      switch (status) {
        case "ok": ok++; break;
        case "init-error": initError++; break;
        case "restore-error": restoreError++; break;
        case "error": error++; break;
        case "timeout": timeout++; break;
        default: throw new InputException("run " + run.path("run").asText("?") + " has unknown status '" + status + "'");
      }
      add(init, run.get("initMs"));
      add(restore, run.get("restoreMs")); // --snapstart runs only
      JsonNode inv = run.path("invocationsMs");
      for (int i = 0; i < inv.size(); i++) add(i == 0 ? first : warm, inv.get(i));
      // Absent in results written before Lambda's Duration was measured: no samples, insufficient data.
      JsonNode duration = run.path("durationMs");
      for (int i = 0; i < duration.size(); i++) add(i == 0 ? firstDuration : warmDuration, duration.get(i));
      JsonNode postRuntime = run.path("postRuntimeMs");
      for (int i = 0; i < postRuntime.size(); i++) add(i == 0 ? firstPostRuntime : warmPostRuntime, postRuntime.get(i));
      JsonNode phases = run.path("phasesMs");
      add(jvm, phases.get("jvm"));
      add(agent, phases.get("agent"));
      add(runtimeInit, phases.get("runtimeInit"));
      for (JsonNode f : run.path("files")) {
        if (f.isTextual() && baseDir != null) profiles.add(baseDir.resolve(f.asText()));
      }
    }
    long all = runs.size();
    Map<String, Metric> m = new LinkedHashMap<>();
    m.put("init", samples(init));
    m.put("firstInvocation", samples(first));
    m.put("warmInvocation", samples(warm));
    m.put("restore", samples(restore));
    m.put("firstDuration", samples(firstDuration));
    m.put("warmDuration", samples(warmDuration));
    m.put("firstPostRuntime", samples(firstPostRuntime));
    m.put("warmPostRuntime", samples(warmPostRuntime));
    m.put("phases.jvm", samples(jvm));
    m.put("phases.agent", samples(agent));
    m.put("phases.runtimeInit", samples(runtimeInit));
    m.put("runs.ok", new Metric.Ratio(ok, all));
    m.put("runs.initError", new Metric.Ratio(initError, all));
    m.put("runs.restoreError", new Metric.Ratio(restoreError, all));
    m.put("runs.error", new Metric.Ratio(error, all));
    m.put("runs.timeout", new Metric.Ratio(timeout, all));
    String handler = root.path("handler").asText("");
    GateDocument.Subject s = new GateDocument.Subject(handler.isEmpty() ? "handler" : handler, m, List.copyOf(profiles));
    return new GateDocument(MetricCatalog.COLDSTART, List.of(s));
  }

  private static void add(List<Double> into, JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return;
    if (!v.isNumber()) throw new InputException("expected a number of milliseconds, got " + v);
    into.add(v.asDouble());
  }

  private static Metric.Samples samples(List<Double> values) {
    double[] a = new double[values.size()];
    for (int i = 0; i < a.length; i++) a[i] = values.get(i);
    return Metric.Samples.of(a);
  }
}
