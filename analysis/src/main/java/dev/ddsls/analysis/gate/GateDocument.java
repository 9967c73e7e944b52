package dev.ddsls.analysis.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An input of the gate reduced to metrics: one subject per handler (coldstart results) or per function
 * (diagnose report; the report-wide connectivity metrics form a subject of their own named "connectivity").
 */
public record GateDocument(String schema, List<Subject> subjects) {

  /**
   * @param initProfiles gzipped pprof files of the subject's runs (coldstart results' runs[].files), resolved
   *     against the results file's directory; empty when there are none
   */
  public record Subject(String name, Map<String, Metric> metrics, List<Path> initProfiles) {}

  /** Reads a parsed JSON document; {@code baseDir} resolves the relative profile paths it names. */
  public static GateDocument parse(JsonNode root, Path baseDir) {
    if (root == null || !root.isObject()) throw new InputException("not a JSON object");
    String schema = root.path("schema").asText("");
    switch (schema) {
      case MetricCatalog.COLDSTART: return ColdstartMetrics.read(root, baseDir);
      case MetricCatalog.DIAGNOSE: return DiagnoseMetrics.read(root);
      default:
        throw new InputException("unsupported schema '" + schema + "' (expected " + MetricCatalog.COLDSTART
            + " or " + MetricCatalog.DIAGNOSE + ")");
    }
  }

  /** The subject of this document that corresponds to {@code other} (same name, else the only one), or null. */
  public Subject match(Subject other) {
    for (Subject s : subjects) if (s.name().equals(other.name())) return s;
    long withMetrics = subjects.stream().filter(s -> !s.name().equals(DiagnoseMetrics.CONNECTIVITY)).count();
    if (withMetrics == 1 && !other.name().equals(DiagnoseMetrics.CONNECTIVITY)) {
      for (Subject s : subjects) if (!s.name().equals(DiagnoseMetrics.CONNECTIVITY)) return s;
    }
    return null;
  }
}
