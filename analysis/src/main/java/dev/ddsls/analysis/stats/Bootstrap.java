package dev.ddsls.analysis.stats;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * Percentile-bootstrap confidence interval of the ratio statistic(candidate) / statistic(baseline): each side is
 * resampled with replacement on its own, the ratio computed per resample, and the interval read off the sorted
 * ratios. The generator is SplitMix64 with a fixed seed, so the same inputs give the same interval on every JVM.
 */
public final class Bootstrap {
  private Bootstrap() {}

  /** A point estimate with its confidence interval. */
  public record Interval(double estimate, double lower, double upper) {}

  /** A statistic computed on an ascending array. */
  public interface Statistic extends ToDoubleFunction<double[]> {
    static Statistic quantile(double q) { return sorted -> Percentiles.quantile(sorted, q); }

    static Statistic mean() {
      return values -> {
        double sum = 0;
        for (double v : values) sum += v;
        return sum / values.length;
      };
    }
  }

  public static Interval ratio(double[] baseline, double[] candidate, Statistic statistic,
                               int resamples, double confidence, long seed) {
    if (baseline.length == 0 || candidate.length == 0) throw new IllegalArgumentException("empty sample");
    if (resamples < 1 || !(confidence > 0 && confidence < 1)) throw new IllegalArgumentException("bad bootstrap settings");
    double base = statistic.applyAsDouble(sorted(baseline));
    if (!(base > 0)) throw new IllegalArgumentException("baseline statistic must be positive for a ratio: " + base);
    double estimate = statistic.applyAsDouble(sorted(candidate)) / base;

    SplitMix64 random = new SplitMix64(seed);
    double[] ratios = new double[resamples];
    double[] b = new double[baseline.length], c = new double[candidate.length];
    for (int r = 0; r < resamples; r++) {
      resample(baseline, b, random);
      resample(candidate, c, random);
      ratios[r] = statistic.applyAsDouble(c) / statistic.applyAsDouble(b);
    }
    Arrays.sort(ratios);
    double tail = (1 - confidence) / 2;
    return new Interval(estimate, Percentiles.quantile(ratios, tail), Percentiles.quantile(ratios, 1 - tail));
  }

  private static double[] sorted(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s;
  }

  private static void resample(double[] from, double[] into, SplitMix64 random) {
    for (int i = 0; i < into.length; i++) into[i] = from[random.nextIndex(from.length)];
    Arrays.sort(into);
  }

  /** Steele, Lea and Flood's SplitMix64: tiny, fast and fully specified (unlike java.util.Random's subclasses). */
  static final class SplitMix64 {
    private long state;

    SplitMix64(long seed) { this.state = seed; }

    long nextLong() {
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound) by multiply-shift of the top 32 bits (bias below 2^-32 * bound, negligible here). */
    int nextIndex(int bound) {
      return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }
  }
}
