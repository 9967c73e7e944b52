package dev.ddsls.analysis.gate;

import dev.ddsls.analysis.stats.Bootstrap;
import dev.ddsls.analysis.stats.Percentiles;
import java.util.Arrays;

/** The data behind one metric name for one subject: raw samples, a percentile summary, a ratio or one number. */
public sealed interface Metric {
  /** Observations available for the claim (samples, summarised samples, ratio denominator, 0 or 1). */
  int n();

  /** The aggregated value; the aggregation has been checked against the metric's shape beforehand. */
  double aggregate(Aggregation a);

  /** Raw samples in milliseconds, ascending. */
  record Samples(double[] sorted) implements Metric {
    public static Samples of(double[] values) {
      double[] s = values.clone();
      Arrays.sort(s);
      return new Samples(s);
    }

    @Override public int n() { return sorted.length; }

    @Override public double aggregate(Aggregation a) {
      if (sorted.length == 0) return a.kind() == Aggregation.Kind.COUNT ? 0 : Double.NaN;
      switch (a.kind()) {
        case PERCENTILE: return Percentiles.quantile(sorted, a.quantile());
        case AVG: return Bootstrap.Statistic.mean().applyAsDouble(sorted);
        case MIN: return sorted[0];
        case MAX: return sorted[sorted.length - 1];
        case COUNT: return sorted.length;
        default: throw new IllegalStateException(a.label());
      }
    }
  }

  /** A contract percentile object {@code {"n","p50","p90","p99","max"}}; missing fields are null. */
  record Summary(int n, Double p50, Double p90, Double p99, Double max) implements Metric {
    @Override public double aggregate(Aggregation a) {
      Double v;
      if (a.kind() == Aggregation.Kind.COUNT) return n;
      if (a.kind() == Aggregation.Kind.MAX) v = max;
      else if (a.percent() == 50) v = p50;
      else if (a.percent() == 90) v = p90;
      else if (a.percent() == 99) v = p99;
      else throw new IllegalStateException(a.label());
      return v == null ? Double.NaN : v;
    }
  }

  /** part out of whole, e.g. connected spans out of invocation spans. */
  record Ratio(long part, long whole) implements Metric {
    @Override public int n() { return (int) Math.min(Integer.MAX_VALUE, whole); }

    @Override public double aggregate(Aggregation a) {
      if (a.kind() == Aggregation.Kind.COUNT) return part;
      return whole == 0 ? Double.NaN : (double) part / whole;
    }
  }

  /** One number, or null when the document does not carry it. */
  record Scalar(Double value) implements Metric {
    @Override public int n() { return value == null ? 0 : 1; }

    @Override public double aggregate(Aggregation a) { return value == null ? Double.NaN : value; }
  }
}
