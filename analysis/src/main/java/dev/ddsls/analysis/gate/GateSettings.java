package dev.ddsls.analysis.gate;

/**
 * Statistical settings of regression tests.
 *
 * @param alpha significance level of the two-sided Mann-Whitney U test
 * @param confidence confidence level of the bootstrap interval of the ratio
 * @param resamples bootstrap resamples
 * @param seed bootstrap seed (fixed, so a verdict is reproducible)
 */
public record GateSettings(double alpha, double confidence, int resamples, long seed) {
  public static final GateSettings DEFAULTS = new GateSettings(0.05, 0.95, 10_000, 1);

  public GateSettings {
    if (!(alpha > 0 && alpha < 1)) throw new RuleException("alpha must be between 0 and 1: " + alpha);
    if (!(confidence > 0 && confidence < 1)) throw new RuleException("confidence must be between 0 and 1: " + confidence);
    if (resamples < 100 || resamples > 1_000_000) throw new RuleException("resamples must be 100..1000000: " + resamples);
  }
}
