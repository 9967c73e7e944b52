package dev.ddsls.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {
  private static final double EPS = 1e-9;

  @Test
  void interpolatesBetweenClosestRanks() {
    // numpy.percentile([1..10], [50, 90, 99]) = 5.5, 9.1, 9.91
    Percentiles p = Percentiles.of(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    assertEquals(10, p.n());
    assertEquals(5.5, p.p50(), EPS);
    assertEquals(9.1, p.p90(), EPS);
    assertEquals(9.91, p.p99(), EPS);
    assertEquals(10, p.max(), EPS);
  }

  @Test
  void oddCountMedianIsTheMiddleValue() {
    Percentiles p = Percentiles.of(List.of(812.3, 95.2, 3.1));
    assertEquals(95.2, p.p50(), EPS);
    // h = 2 * 0.9 = 1.8 -> 95.2 + 0.8 * (812.3 - 95.2)
    assertEquals(95.2 + 0.8 * (812.3 - 95.2), p.p90(), EPS);
    assertEquals(812.3, p.max(), EPS);
  }

  @Test
  void singleValueIsEveryPercentile() {
    Percentiles p = Percentiles.of(42.0);
    assertEquals(1, p.n());
    assertEquals(42.0, p.p50(), EPS);
    assertEquals(42.0, p.p99(), EPS);
    assertEquals(42.0, p.max(), EPS);
  }

  @Test
  void emptyHasNullValues() {
    Percentiles p = Percentiles.of(List.<Double>of());
    assertEquals(0, p.n());
    assertNull(p.p50());
    assertNull(p.p90());
    assertNull(p.p99());
    assertNull(p.max());
  }

  @Test
  void quantileBoundsAndRounding() {
    double[] sorted = {1, 2, 4};
    assertEquals(1, Percentiles.quantile(sorted, 0), EPS);
    assertEquals(4, Percentiles.quantile(sorted, 1), EPS);
    assertEquals(3, Percentiles.quantile(sorted, 0.75), EPS);
    assertThrows(IllegalArgumentException.class, () -> Percentiles.quantile(sorted, 1.5));
    assertThrows(IllegalArgumentException.class, () -> Percentiles.of(1, Double.NaN));
    assertEquals(3.33, Percentiles.of(1, 3.333333, 9).rounded(2).p50(), EPS);
  }
}
