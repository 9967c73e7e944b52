package dev.ddsls.analysis.gate;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a metric becomes one number, in k6's vocabulary: {@code p(N)} (also written {@code pN}), {@code med},
 * {@code avg}, {@code min}, {@code max}, {@code count}, {@code rate}; {@code value} for a metric that is already one
 * number.
 */
public record Aggregation(Kind kind, double percent) {
  public enum Kind { PERCENTILE, AVG, MIN, MAX, COUNT, RATE, VALUE }

  static final String PATTERN = "p\\(\\d+(?:\\.\\d+)?\\)|p\\d+(?:\\.\\d+)?|med|avg|min|max|count|rate|value";
  private static final Pattern PERCENTILE = Pattern.compile("p\\(?(\\d+(?:\\.\\d+)?)\\)?");

  public static final Aggregation MEDIAN = new Aggregation(Kind.PERCENTILE, 50);
  public static final Aggregation VALUE = new Aggregation(Kind.VALUE, 0);
  public static final Aggregation RATE = new Aggregation(Kind.RATE, 0);

  public static Aggregation parse(String token) {
    String t = token.toLowerCase(Locale.ROOT);
    if (t.equals("med")) return MEDIAN;
    Matcher m = PERCENTILE.matcher(t);
    if (m.matches()) {
      double p = Double.parseDouble(m.group(1));
      if (!(p > 0 && p < 100)) throw new RuleException("percentile must be between 0 and 100 exclusive: " + token);
      return new Aggregation(Kind.PERCENTILE, p);
    }
    return new Aggregation(Kind.valueOf(t.toUpperCase(Locale.ROOT)), 0);
  }

  /** The quantile 0..1 of a percentile aggregation. */
  public double quantile() { return percent / 100; }

  /**
   * Samples needed before a percentile claim means anything: ceil(100 / (100 - N)), so that the sample is expected
   * to hold at least one value at or above the true pN (p90 needs 10, p99 needs 100, p99.9 needs 1000); a median
   * needs 2. Other aggregations need one value.
   */
  public int samplesNeeded() {
    if (kind != Kind.PERCENTILE) return kind == Kind.COUNT ? 0 : 1;
    return (int) Math.ceil(100 / (100 - percent) - 1e-9);
  }

  public String label() {
    switch (kind) {
      case PERCENTILE:
        if (percent == 50) return "p50";
        return percent == Math.rint(percent) ? "p" + (long) percent : "p" + percent;
      default: return kind.name().toLowerCase(Locale.ROOT);
    }
  }
}
