package dev.ddsls.analysis.gate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tolerated relative slow-down of the candidate against the baseline: {@code [level:]metric[.aggregation]:N%},
 * e.g. {@code init.p50:10%} or {@code warn:init.p90:15%}. Only raw samples (coldstart results) can be tested, and
 * only with a location statistic: {@code p(N)}/{@code med} (default) or {@code avg}.
 */
public record Regression(String text, Level level, String metric, Aggregation aggregation, double tolerance) {
  private static final Pattern GRAMMAR = Pattern.compile(
      "\\s*(?:(warn|warning|error|off)\\s*:\\s*)?([A-Za-z][A-Za-z0-9_.]*?)(?:\\.(" + Aggregation.PATTERN + "))?"
          + "\\s*:\\s*(\\d+(?:\\.\\d+)?)\\s*%\\s*");

  public static Regression parse(String text, Level defaultLevel) {
    Matcher m = GRAMMAR.matcher(text);
    if (!m.matches()) throw new RuleException("cannot parse regression '" + text + "' (expected e.g. init.p50:10%)");
    Level level = m.group(1) == null ? defaultLevel : Level.parse(m.group(1));
    Aggregation agg = m.group(3) == null ? Aggregation.MEDIAN : Aggregation.parse(m.group(3));
    if (agg.kind() != Aggregation.Kind.PERCENTILE && agg.kind() != Aggregation.Kind.AVG) {
      throw new RuleException("'" + text + "': a regression compares p(N), med or avg, not " + agg.label());
    }
    return new Regression(Threshold.withoutLevel(text), level, m.group(2), agg, Double.parseDouble(m.group(4)) / 100);
  }

  /**
   * Samples needed on each side: at least 9 (below that a rank test cannot reach significance reliably; Google
   * Benchmark's UTEST_OPTIMAL_REPETITIONS) and at least what the percentile itself needs.
   */
  public int samplesNeeded() { return Math.max(9, aggregation.samplesNeeded()); }

}
