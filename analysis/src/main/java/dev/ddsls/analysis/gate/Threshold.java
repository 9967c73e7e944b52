package dev.ddsls.analysis.gate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An absolute rule on the candidate, k6 grammar with the metric in front: {@code [level:]metric[.aggregation] op
 * number[unit]}, e.g. {@code init.p90<1500ms}, {@code init.p(99)<=3s}, {@code connectivity.connected>=0.99},
 * {@code warn:runs.ok>=99%}. Operators {@code < <= > >= == !=}.
 */
public record Threshold(String text, Level level, String metric, Aggregation aggregation, String operator,
                        double number, String unit) {
  private static final Pattern GRAMMAR = Pattern.compile(
      "\\s*(?:(warn|warning|error|off)\\s*:\\s*)?([A-Za-z][A-Za-z0-9_.]*?)(?:\\.(" + Aggregation.PATTERN + "))?"
          + "\\s*(<=|>=|==|!=|<|>)\\s*(-?\\d+(?:\\.\\d+)?)\\s*(ms|s|%)?\\s*");

  public static Threshold parse(String text, Level defaultLevel) {
    Matcher m = GRAMMAR.matcher(text);
    if (!m.matches()) {
      throw new RuleException("cannot parse threshold '" + text + "' (expected e.g. init.p90<1500ms or connectivity.connected>=0.99)");
    }
    Level level = m.group(1) == null ? defaultLevel : Level.parse(m.group(1));
    Aggregation agg = m.group(3) == null ? null : Aggregation.parse(m.group(3));
    return new Threshold(withoutLevel(text), level, m.group(2), agg, m.group(4), Double.parseDouble(m.group(5)), m.group(6));
  }

  /** True when {@code value} satisfies the rule; {@code limit} is the number converted to the metric's unit. */
  static boolean holds(double value, String operator, double limit) {
    switch (operator) {
      case "<": return value < limit;
      case "<=": return value <= limit;
      case ">": return value > limit;
      case ">=": return value >= limit;
      case "==": return value == limit;
      default: return value != limit;
    }
  }

  /** The rule as written, minus its level prefix (the level is shown on its own). */
  static String withoutLevel(String text) {
    return text.trim().replaceFirst("^(warn|warning|error|off)\\s*:\\s*", "");
  }
}
