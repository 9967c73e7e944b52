package dev.ddsls.analysis.stats;

import java.util.Arrays;

/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum): do two samples come from the same distribution?
 * Small samples without ties use the exact null distribution of U; otherwise the normal approximation with the
 * tie correction of the variance and a continuity correction of 0.5, as scipy.stats.mannwhitneyu does.
 */
public final class MannWhitney {
  /** Largest sample size (each side) for which the exact distribution is computed: O((n1 n2)^2 / 2) work. */
  static final int EXACT_MAX_N = 50;

  private MannWhitney() {}

  /**
   * @param u the U statistic of {@code a}: pairs (a_i, b_j) with a_i > b_j, ties counting one half
   * @param z the normal score (NaN when the exact distribution was used)
   * @param p the two-sided p-value
   */
  public record Result(double u, double z, double p, boolean exact) {}

  public static Result test(double[] a, double[] b) { return test(a, b, true); }

  static Result test(double[] a, double[] b, boolean allowExact) {
    int n1 = a.length, n2 = b.length;
    if (n1 == 0 || n2 == 0) throw new IllegalArgumentException("Mann-Whitney needs two non-empty samples");
    int n = n1 + n2;
    double[] all = new double[n];
    System.arraycopy(a, 0, all, 0, n1);
    System.arraycopy(b, 0, all, n1, n2);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> Double.compare(all[x], all[y]));

    // Average ranks for ties; collect sum(t^3 - t) over tie groups for the variance correction.
    double rankSumA = 0, tieTerm = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && all[order[j + 1]] == all[order[i]]) j++;
      double rank = (i + j + 2) / 2.0;
      for (int k = i; k <= j; k++) if (order[k] < n1) rankSumA += rank;
      double t = j - i + 1;
      tieTerm += t * t * t - t;
      i = j + 1;
    }
    double u1 = rankSumA - n1 * (n1 + 1) / 2.0;
    double u2 = (double) n1 * n2 - u1;

    if (allowExact && tieTerm == 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
      double p = Math.min(1, 2 * exactCdf(n1, n2, (int) Math.round(Math.min(u1, u2))));
      return new Result(u1, Double.NaN, p, true);
    }
    double mu = n1 * (double) n2 / 2;
    double variance = n1 * (double) n2 / 12 * ((n + 1) - tieTerm / ((double) n * (n - 1)));
    if (variance <= 0) return new Result(u1, 0, 1, false); // every value equal: no evidence of a difference
    double z = (Math.max(u1, u2) - mu - 0.5) / Math.sqrt(variance);
    double p = Math.min(1, 2 * Normal.upperTail(z));
    return new Result(u1, u1 >= mu ? z : -z, p, false);
  }

  /** P(U <= u) under the null hypothesis for sample sizes m and n without ties. */
  static double exactCdf(int m, int n, int u) {
    // f[j][k] = number of arrangements of i "a" and j "b" values with U = k (rows i built up in place);
    // recurrence f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k): the largest value is an a (beating all j b's) or a b.
    int max = m * n;
    double[][] f = new double[n + 1][max + 1];
    for (int j = 0; j <= n; j++) f[j][0] = 1; // i = 0
    for (int i = 1; i <= m; i++) {
      double[][] g = new double[n + 1][max + 1];
      g[0][0] = 1;
      for (int j = 1; j <= n; j++) {
        for (int k = 0; k <= i * j; k++) {
          double fromA = k >= j ? f[j][k - j] : 0;
          g[j][k] = fromA + g[j - 1][k];
        }
      }
      f = g;
    }
    double total = 0, below = 0;
    for (int k = 0; k <= max; k++) {
      total += f[n][k];
      if (k <= u) below += f[n][k];
    }
    return below / total;
  }
}
