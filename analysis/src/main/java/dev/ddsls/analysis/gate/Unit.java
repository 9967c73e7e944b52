package dev.ddsls.analysis.gate;

/** The unit of an aggregated metric value, which decides the suffixes a threshold may use. */
public enum Unit {
  /** Milliseconds; thresholds may say {@code ms} (default) or {@code s}. */
  MS("ms"),
  /** A fraction 0..1; thresholds may say {@code %}. */
  RATIO(""),
  /** A plain count; no suffix. */
  COUNT("");

  public final String symbol;

  Unit(String symbol) { this.symbol = symbol; }

  /** The threshold value in this unit, or a RuleException when the suffix does not fit. */
  double convert(double value, String suffix, String rule) {
    if (suffix == null || suffix.isEmpty()) return value;
    if (this == MS && suffix.equals("ms")) return value;
    if (this == MS && suffix.equals("s")) return value * 1000;
    if (this == RATIO && suffix.equals("%")) return value / 100;
    throw new RuleException("'" + rule + "': unit '" + suffix + "' does not fit a " + describe() + " value");
  }

  String describe() {
    switch (this) {
      case MS: return "duration (ms, s)";
      case RATIO: return "ratio (0..1 or %)";
      default: return "count (no unit)";
    }
  }
}
