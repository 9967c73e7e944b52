package dev.ddsls.analysis.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a gate and its statistical settings. The file form (JSON, or YAML read into the same tree):
 * <pre>
 * { "alpha": 0.05, "confidence": 0.95, "resamples": 10000, "seed": 1,
 *   "thresholds": [ "init.p90&lt;1500ms", {"threshold": "init.p99&lt;3s", "level": "warn"} ],
 *   "regressions": [ "init.p50:10%", {"regression": "init.p90:15%", "level": "warn"} ] }
 * </pre>
 * {@code thresholds} may also be k6's map, metric to expressions: {@code {"init": ["p(90)<1500", ...]}}.
 * Unknown keys are errors, so a typo never disables a rule.
 */
public record GateConfig(List<Threshold> thresholds, List<Regression> regressions, GateSettings settings) {
  private static final Set<String> KEYS = Set.of("alpha", "confidence", "resamples", "seed", "thresholds", "regressions");

  public static GateConfig empty() { return new GateConfig(List.of(), List.of(), GateSettings.DEFAULTS); }

  public static GateConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) throw new RuleException("gate config must be an object");
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) throw new RuleException("unknown gate config key '" + k + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
    }
    GateSettings d = GateSettings.DEFAULTS;
    GateSettings settings = new GateSettings(
        number(root, "alpha", d.alpha()), number(root, "confidence", d.confidence()),
        (int) number(root, "resamples", d.resamples()), (long) number(root, "seed", d.seed()));
    List<Threshold> thresholds = new ArrayList<>();
    JsonNode t = root.path("thresholds");
    if (t.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isArray()) {
          for (JsonNode item : e.getValue()) thresholds.add(threshold(item, e.getKey() + "."));
        } else {
          thresholds.add(threshold(e.getValue(), e.getKey() + "."));
        }
      }
    } else if (t.isArray()) {
      for (JsonNode item : t) thresholds.add(threshold(item, ""));
    } else if (!t.isMissingNode()) {
      throw new RuleException("thresholds must be a list or a map of metric to list");
    }
    List<Regression> regressions = new ArrayList<>();
    JsonNode r = root.path("regressions");
    if (r.isArray()) {
      for (JsonNode item : r) {
        String[] rule = rule(item, "regression");
        regressions.add(Regression.parse(rule[0], rule[1] == null ? Level.ERROR : Level.parse(rule[1])));
      }
    } else if (!r.isMissingNode()) {
      throw new RuleException("regressions must be a list");
    }
    return new GateConfig(List.copyOf(thresholds), List.copyOf(regressions), settings);
  }

  /** This config plus more rules (the command line's inline ones). */
  public GateConfig plus(List<Threshold> moreThresholds, List<Regression> moreRegressions) {
    List<Threshold> t = new ArrayList<>(thresholds);
    t.addAll(moreThresholds);
    List<Regression> r = new ArrayList<>(regressions);
    r.addAll(moreRegressions);
    return new GateConfig(List.copyOf(t), List.copyOf(r), settings);
  }

  public GateConfig with(GateSettings s) { return new GateConfig(thresholds, regressions, s); }

  private static Threshold threshold(JsonNode item, String prefix) {
    String[] rule = rule(item, "threshold");
    Level level = rule[1] == null ? Level.ERROR : Level.parse(rule[1]);
    String text = rule[0].trim();
    // k6 map form: the key is the metric, the expression starts with the aggregation or the operator.
    if (!prefix.isEmpty()) text = prefix.substring(0, prefix.length() - 1) + (text.matches("^[<>=!].*") ? "" : ".") + text;
    return Threshold.parse(text, level);
  }

  /** {rule text, level or null} from "text" or {"threshold"|"regression": "text", "level": "warn"}. */
  private static String[] rule(JsonNode item, String field) {
    if (item.isTextual()) return new String[] {item.asText(), null};
    if (item.isObject() && item.path(field).isTextual()) {
      for (Iterator<String> it = item.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!k.equals(field) && !k.equals("level")) throw new RuleException("unknown key '" + k + "' in " + field + " " + item);
      }
      return new String[] {item.get(field).asText(), item.hasNonNull("level") ? item.get("level").asText() : null};
    }
    throw new RuleException("a " + field + " is a string or {\"" + field + "\": \"...\", \"level\": \"warn|error\"}: " + item);
  }

  private static double number(JsonNode root, String key, double fallback) {
    JsonNode v = root.get(key);
    if (v == null) return fallback;
    if (!v.isNumber()) throw new RuleException("'" + key + "' must be a number: " + v);
    return v.asDouble();
  }
}
