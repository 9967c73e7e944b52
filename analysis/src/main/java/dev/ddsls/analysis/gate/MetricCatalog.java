package dev.ddsls.analysis.gate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric namespace of the gate, per input schema. A rule naming a metric that is not listed here is rejected
 * (never silently ignored, the k6 pitfall); a listed metric with no data in the document is "insufficient data".
 * docs/ci.md documents the same table.
 */
public final class MetricCatalog {
  public static final String COLDSTART = "ddsls.coldstart/v1";
  public static final String DIAGNOSE = "ddsls.diagnose/v1";

  /** What kind of data a metric holds, which decides its aggregations. */
  public enum Shape { SAMPLES, SUMMARY, RATIO, SCALAR }

  public record Definition(String name, Shape shape, Unit unit, String source) {
    /** The aggregation used when a rule names none, or null when the rule must name one. */
    Aggregation defaultAggregation() {
      switch (shape) {
        case RATIO: return Aggregation.RATE;
        case SCALAR: return Aggregation.VALUE;
        default: return null;
      }
    }

    boolean supports(Aggregation a) {
      switch (shape) {
        case SAMPLES:
          return a.kind() != Aggregation.Kind.RATE && a.kind() != Aggregation.Kind.VALUE;
        case SUMMARY:
          return a.kind() == Aggregation.Kind.COUNT || a.kind() == Aggregation.Kind.MAX
              || (a.kind() == Aggregation.Kind.PERCENTILE && (a.percent() == 50 || a.percent() == 90 || a.percent() == 99));
        case RATIO:
          return a.kind() == Aggregation.Kind.RATE || a.kind() == Aggregation.Kind.COUNT;
        default:
          return a.kind() == Aggregation.Kind.VALUE;
      }
    }

    String aggregations() {
      switch (shape) {
        case SAMPLES: return "p(N), med, avg, min, max, count";
        case SUMMARY: return "p50 (med), p90, p99, max, count";
        case RATIO: return "rate (default), count";
        default: return "none (it is one number)";
      }
    }

    /** The unit of the aggregated value. */
    Unit unitOf(Aggregation a) {
      if (a.kind() == Aggregation.Kind.COUNT) return Unit.COUNT;
      if (a.kind() == Aggregation.Kind.RATE) return Unit.RATIO;
      return unit;
    }
  }

  private static final Map<String, Map<String, Definition>> BY_SCHEMA = Map.of(
      COLDSTART, index(List.of(
          new Definition("init", Shape.SAMPLES, Unit.MS, "runs[].initMs"),
          new Definition("firstInvocation", Shape.SAMPLES, Unit.MS, "runs[].invocationsMs[0]"),
          new Definition("warmInvocation", Shape.SAMPLES, Unit.MS, "runs[].invocationsMs[1..], pooled"),
          new Definition("restore", Shape.SAMPLES, Unit.MS, "runs[].restoreMs (coldstart --snapstart)"),
          new Definition("firstDuration", Shape.SAMPLES, Unit.MS, "runs[].durationMs[0]"),
          new Definition("warmDuration", Shape.SAMPLES, Unit.MS, "runs[].durationMs[1..], pooled"),
          new Definition("firstPostRuntime", Shape.SAMPLES, Unit.MS, "runs[].postRuntimeMs[0]"),
          new Definition("warmPostRuntime", Shape.SAMPLES, Unit.MS, "runs[].postRuntimeMs[1..], pooled"),
          new Definition("phases.jvm", Shape.SAMPLES, Unit.MS, "runs[].phasesMs.jvm"),
          new Definition("phases.agent", Shape.SAMPLES, Unit.MS, "runs[].phasesMs.agent"),
          new Definition("phases.runtimeInit", Shape.SAMPLES, Unit.MS, "runs[].phasesMs.runtimeInit"),
          new Definition("runs.ok", Shape.RATIO, Unit.RATIO, "runs with status ok / runs"),
          new Definition("runs.initError", Shape.RATIO, Unit.RATIO, "runs with status init-error / runs"),
          new Definition("runs.restoreError", Shape.RATIO, Unit.RATIO, "runs with status restore-error / runs"),
          new Definition("runs.error", Shape.RATIO, Unit.RATIO, "runs with status error / runs"),
          new Definition("runs.timeout", Shape.RATIO, Unit.RATIO, "runs with status timeout / runs"))),
      DIAGNOSE, index(List.of(
          new Definition("init", Shape.SUMMARY, Unit.MS, "functions[].initMs"),
          new Definition("firstInvocation", Shape.SUMMARY, Unit.MS, "functions[].phasesMs.firstInvocation"),
          new Definition("phases.jvm", Shape.SUMMARY, Unit.MS, "functions[].phasesMs.jvm"),
          new Definition("phases.agent", Shape.SUMMARY, Unit.MS, "functions[].phasesMs.agent"),
          new Definition("phases.runtimeInit", Shape.SUMMARY, Unit.MS, "functions[].phasesMs.runtimeInit"),
          new Definition("invocations", Shape.SCALAR, Unit.COUNT, "functions[].invocations"),
          new Definition("coldStarts", Shape.RATIO, Unit.RATIO, "functions[].coldStarts / invocations"),
          new Definition("coldInvocationPenalty", Shape.SCALAR, Unit.MS, "functions[].coldInvocationPenaltyMs"),
          new Definition("initCpu", Shape.SCALAR, Unit.MS, "functions[].init.cpuMs"),
          new Definition("initWall", Shape.SCALAR, Unit.MS, "functions[].init.wallMs"),
          new Definition("findings", Shape.SCALAR, Unit.COUNT, "functions[].findings, counted"),
          new Definition("findings.high", Shape.SCALAR, Unit.COUNT, "functions[].findings with severity high"),
          new Definition("findings.medium", Shape.SCALAR, Unit.COUNT, "functions[].findings with severity medium"),
          new Definition("findings.low", Shape.SCALAR, Unit.COUNT, "functions[].findings with severity low"),
          new Definition("connectivity.connected", Shape.RATIO, Unit.RATIO, "connectivity.connected / invocationSpans"),
          new Definition("connectivity.orphans", Shape.RATIO, Unit.RATIO, "connectivity.orphans / invocationSpans"),
          new Definition("connectivity.roots", Shape.RATIO, Unit.RATIO, "connectivity.roots / invocationSpans"),
          new Definition("connectivity.invocationSpans", Shape.SCALAR, Unit.COUNT, "connectivity.invocationSpans"),
          new Definition("connectivity.findings", Shape.SCALAR, Unit.COUNT, "connectivity.findings, counted"))));

  private MetricCatalog() {}

  private static Map<String, Definition> index(List<Definition> defs) {
    Map<String, Definition> m = new LinkedHashMap<>();
    for (Definition d : defs) m.put(d.name(), d);
    return m;
  }

  /** All metrics of a schema, in documentation order. */
  public static List<Definition> of(String schema) {
    Map<String, Definition> m = BY_SCHEMA.get(schema);
    if (m == null) throw new InputException("unsupported schema '" + schema + "' (expected " + COLDSTART + " or " + DIAGNOSE + ")");
    return List.copyOf(m.values());
  }

  /** The definition of {@code name} in {@code schema}, or a RuleException naming the known metrics. */
  public static Definition find(String schema, String name) {
    of(schema);
    Definition d = BY_SCHEMA.get(schema).get(name);
    if (d == null) {
      throw new RuleException("unknown metric '" + name + "' for " + schema + " (known: "
          + String.join(", ", BY_SCHEMA.get(schema).keySet()) + ")");
    }
    return d;
  }
}
