package dev.ddsls.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantilesTest {
  @Test
  void numpyLinearPercentiles() {
    // numpy.percentile(range(1, 11), [50, 90, 99]) = 5.5, 9.1, 9.91
    double[] s = Quantiles.sorted(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
    assertEquals(5.5, Quantiles.quantile(s, 0.5), 1e-12);
    assertEquals(9.1, Quantiles.quantile(s, 0.9), 1e-12);
    assertEquals(9.91, Quantiles.quantile(s, 0.99), 1e-12);
    assertEquals(10, Quantiles.quantile(s, 1), 1e-12);
    assertEquals(5.5, Quantiles.mean(s), 1e-12);
    assertTrue(Double.isNaN(Quantiles.quantile(new double[0], 0.5)));
  }
}
