package dev.ddsls.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NormalTest {
  @Test
  void standardNormalTail() {
    assertEquals(0.5, Normal.upperTail(0), 1e-7);
    assertEquals(0.025, Normal.upperTail(1.959963984540054), 1e-7);
    assertEquals(0.975, Normal.upperTail(-1.959963984540054), 1e-7);
    assertEquals(0.15865525393145707, Normal.upperTail(1), 1e-7); // scipy.stats.norm.sf(1)
    assertEquals(2.866515718791939e-07, Normal.upperTail(5), 1e-12);
  }
}
