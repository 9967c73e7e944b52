package dev.ddsls.analysis.stats;

import java.util.Arrays;

/**
 * Sample quantiles by linear interpolation between the two closest ranks (Hyndman and Fan type 7, numpy's and
 * R's default), the same definition as the output contracts' percentile objects, so a gate threshold on
 * {@code init.p90} agrees with the p90 printed by {@code ddsls coldstart}.
 */
public final class Quantiles {
  private Quantiles() {}

  /** The q-quantile (0..1) of ascending {@code sorted} values; NaN when empty. */
  public static double quantile(double[] sorted, double q) {
    if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile out of [0,1]: " + q);
    int n = sorted.length;
    if (n == 0) return Double.NaN;
    double h = (n - 1) * q;
    int lo = (int) Math.floor(h);
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
  }

  /** A sorted copy. */
  public static double[] sorted(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s;
  }

  public static double mean(double[] values) {
    if (values.length == 0) return Double.NaN;
    double sum = 0;
    for (double v : values) sum += v;
    return sum / values.length;
  }
}
