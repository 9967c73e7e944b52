package dev.ddsls.analysis.gate;

/**
 * The verdict of one rule on one subject.
 *
 * @param measure what was measured, e.g. "init p90"
 * @param baseline the baseline's value of the aggregated metric (null without a baseline or its data)
 * @param candidate the candidate's value (null when it has no data)
 * @param change relative change candidate / baseline - 1 (null when either is missing)
 * @param changeLower lower bound of the change's confidence interval (regressions only)
 * @param p two-sided Mann-Whitney p-value (regressions only)
 * @param needed observations the claim needs; {@code have} the fewest present (on either side)
 * @param detail extra lines for the reader, e.g. the frames whose init CPU grew (may be empty)
 */
public record Outcome(String rule, Kind kind, Level level, String subject, String measure, Verdict verdict, boolean insufficient,
                      Unit unit, Double baseline, Double candidate, Double change, Double changeLower,
                      Double changeUpper, Double p, int needed, int have, String message, String detail) {
  public enum Kind { THRESHOLD, REGRESSION }

  public enum Verdict { PASS, WARN, FAIL }

  /** Sort key, most severe first: failures, then insufficient-data failures, then warnings, then passes. */
  public int severity() {
    switch (verdict) {
      case FAIL: return insufficient ? 1 : 0;
      case WARN: return insufficient ? 3 : 2;
      default: return 4;
    }
  }

  public Outcome withDetail(String d) {
    return new Outcome(rule, kind, level, subject, measure, verdict, insufficient, unit, baseline, candidate, change,
        changeLower, changeUpper, p, needed, have, message, d);
  }

  /** The verdict as printed: pass, WARN, FAIL, with "(insufficient data)" when that is the reason. */
  public String verdictLabel() {
    String v = verdict == Verdict.PASS ? "pass" : verdict.name();
    return insufficient ? v + " (insufficient data)" : v;
  }
}
