package dev.ddsls.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BootstrapTest {
  static final double[] BASE = {812.0, 790.5, 845.2, 801.7, 830.3, 799.9, 820.4, 808.8, 815.1, 826.6, 793.2, 805.0};
  static final double[] CAND = {1102.4, 1095.0, 1150.3, 1088.8, 1121.7, 1133.2, 1099.9, 1110.6, 1141.0, 1092.5, 1125.5, 1117.3};

  @Test
  void splitMix64ReferenceOutput() {
    // Reference SplitMix64 (Steele, Lea, Flood 2014; Vigna's splitmix64.c) from seed 0.
    Bootstrap.SplitMix64 r = new Bootstrap.SplitMix64(0);
    assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
  }

  @Test
  void fixedSeedGivesTheKnownInterval() {
    // Expected values from an independent Python re-implementation (SplitMix64, baseline then candidate resampled
    // per round, numpy.percentile type 7 for the statistic and for the interval):
    // median, 2000 resamples, 95%, seed 42 -> (1.3745681145113522, 1.3442129001364067, 1.3986431816767286)
    Bootstrap.Interval m = Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.quantile(0.5), 2000, 0.95, 42);
    assertEquals(1.3745681145113522, m.estimate(), 1e-12);
    assertEquals(1.3442129001364067, m.lower(), 1e-12);
    assertEquals(1.3986431816767286, m.upper(), 1e-12);
    // mean, 2000 resamples, 90%, seed 7 -> (1.3723060510632188, 1.3555024902539985, 1.3895603028100894)
    Bootstrap.Interval a = Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.mean(), 2000, 0.90, 7);
    assertEquals(1.3723060510632188, a.estimate(), 1e-12);
    assertEquals(1.3555024902539985, a.lower(), 1e-12);
    assertEquals(1.3895603028100894, a.upper(), 1e-12);
  }

  @Test
  void sameSeedSameIntervalOtherSeedOther() {
    Bootstrap.Interval x = Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.quantile(0.9), 1000, 0.95, 1);
    assertEquals(x, Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.quantile(0.9), 1000, 0.95, 1));
    assertNotEquals(x, Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.quantile(0.9), 1000, 0.95, 2));
  }

  @Test
  void constantSamplesHaveADegenerateInterval() {
    double[] b = {100, 100, 100, 100}, c = {130, 130, 130};
    Bootstrap.Interval i = Bootstrap.ratio(b, c, Bootstrap.Statistic.quantile(0.5), 500, 0.95, 3);
    assertEquals(1.3, i.estimate(), 1e-12);
    assertEquals(1.3, i.lower(), 1e-12);
    assertEquals(1.3, i.upper(), 1e-12);
  }

  @Test
  void intervalContainsTheEstimateAndWidensWithConfidence() {
    Bootstrap.Interval i95 = Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.quantile(0.5), 5000, 0.95, 9);
    Bootstrap.Interval i50 = Bootstrap.ratio(BASE, CAND, Bootstrap.Statistic.quantile(0.5), 5000, 0.50, 9);
    assertTrue(i95.lower() <= i95.estimate() && i95.estimate() <= i95.upper());
    assertTrue(i95.lower() <= i50.lower() && i50.upper() <= i95.upper());
    assertTrue(i95.lower() > 1.0, "a 37% shift is not noise");
  }

  @Test
  void rejectsARatioOverZero() {
    assertThrows(IllegalArgumentException.class,
        () -> Bootstrap.ratio(new double[] {0, 0}, CAND, Bootstrap.Statistic.quantile(0.5), 100, 0.95, 1));
  }
}
