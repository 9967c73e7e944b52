package dev.ddsls.analysis.stats;

import java.util.Arrays;
import java.util.Collection;

/**
 * The percentile summary of the output contracts, {@code {"n","p50","p90","p99","max"}}, in the unit of its input.
 * Percentiles use linear interpolation between the two closest ranks (Hyndman and Fan type 7, the default of
 * numpy, R and Excel's PERCENTILE.INC): with sorted values x[0..n-1], p at h = (n-1)p is x[floor h] +
 * (h - floor h)(x[floor h + 1] - x[floor h]). So p50 of an even count is the mean of the two middle values, and
 * p99 of a small sample lies between its two largest values rather than at the maximum.
 * With no values, {@code n} is 0 and every other field is {@code null} (JSON null, not NaN).
 */
public record Percentiles(int n, Double p50, Double p90, Double p99, Double max) {

  public static Percentiles of(Collection<? extends Number> values) {
    double[] a = new double[values.size()];
    int i = 0;
    for (Number v : values) a[i++] = v.doubleValue();
    return of(a);
  }

  public static Percentiles of(double... values) {
    for (double v : values) {
      if (Double.isNaN(v)) throw new IllegalArgumentException("NaN in percentile input");
    }
    if (values.length == 0) return new Percentiles(0, null, null, null, null);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return new Percentiles(sorted.length, quantile(sorted, 0.50), quantile(sorted, 0.90), quantile(sorted, 0.99),
        sorted[sorted.length - 1]);
  }

  /** The p-quantile (0 <= p <= 1) of values already sorted ascending, by linear interpolation (type 7). */
  public static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) throw new IllegalArgumentException("no values");
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("quantile outside [0,1]: " + p);
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    if (lo >= sorted.length - 1) return sorted[sorted.length - 1];
    return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
  }

  /** This summary with every value rounded to {@code decimals} places (for reports; n is kept). */
  public Percentiles rounded(int decimals) {
    return new Percentiles(n, round(p50, decimals), round(p90, decimals), round(p99, decimals), round(max, decimals));
  }

  private static Double round(Double v, int decimals) {
    if (v == null) return null;
    double scale = Math.pow(10, decimals);
    return Math.round(v * scale) / scale;
  }
}
