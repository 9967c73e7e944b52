package dev.ddsls.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MannWhitneyTest {
  @Test
  void tortoiseAndHareFromWikipedia() {
    // Wikipedia "Mann-Whitney U test", illustration: finishing order T H H H H H T T T T T H.
    // Each tortoise beats 6,1,1,1,1,1 hares: U_T = 11; each hare beats 5,5,5,5,5,0 tortoises: U_H = 25.
    double[] tortoise = {1, 7, 8, 9, 10, 11};
    double[] hare = {2, 3, 4, 5, 6, 12};
    // Our U counts pairs where the first sample is larger (finishes later), i.e. is beaten.
    assertEquals(25, MannWhitney.test(tortoise, hare).u());
    assertEquals(11, MannWhitney.test(hare, tortoise).u());
    MannWhitney.Result r = MannWhitney.test(tortoise, hare);
    assertTrue(r.exact());
    // Exact two-sided p = 2 * P(U <= 11) = 286/924 (scipy.stats.mannwhitneyu(method="exact"): 0.30952380952380953).
    assertEquals(286.0 / 924, r.p(), 1e-12);
  }

  @Test
  void exactDistributionMatchesPublishedCriticalValue() {
    // Tables of critical values of U (two-tailed, alpha 0.05): n1 = n2 = 6 -> 5; n1 = n2 = 10 -> 23.
    assertTrue(2 * MannWhitney.exactCdf(6, 6, 5) <= 0.05);
    assertTrue(2 * MannWhitney.exactCdf(6, 6, 6) > 0.05);
    assertTrue(2 * MannWhitney.exactCdf(10, 10, 23) <= 0.05);
    assertTrue(2 * MannWhitney.exactCdf(10, 10, 24) > 0.05);
    assertEquals(1.0, MannWhitney.exactCdf(3, 4, 12), 1e-15);
    assertEquals(1.0 / 35, MannWhitney.exactCdf(3, 4, 0), 1e-15); // one arrangement of C(7,3) = 35
  }

  @Test
  void hollanderWolfeDepressionDataAsInRsWilcoxTest() {
    // R: wilcox.test(x, y, alternative = "g") -> W = 35, p-value = 0.1272 (Hollander & Wolfe 1973, p. 69).
    double[] x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    double[] y = {1.15, 0.88, 0.90, 0.74, 1.21};
    MannWhitney.Result r = MannWhitney.test(x, y);
    assertEquals(35, r.u());
    assertEquals(2 * 0.1272061272061272, r.p(), 1e-12);
  }

  @Test
  void scipyDocumentationExample() {
    // scipy.stats.mannwhitneyu docs: males vs females, U1 = 17, exact p = 0.1111..., asymptotic p = 0.11134688653314041.
    double[] males = {19, 22, 16, 29, 24};
    double[] females = {20, 11, 17, 12};
    MannWhitney.Result exact = MannWhitney.test(males, females);
    assertEquals(17, exact.u());
    assertEquals(1.0 / 9, exact.p(), 1e-12);
    MannWhitney.Result normal = MannWhitney.test(males, females, false);
    assertFalse(normal.exact());
    assertEquals(0.11134688653314041, normal.p(), 1e-6);
  }

  @Test
  void tiesUseNormalApproximationWithTieAndContinuityCorrection() {
    // scipy 1.17 mannwhitneyu(a, b, method="asymptotic"): U = 29.5, p = 0.014740434837801814 (with continuity).
    double[] a = {1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 8};
    double[] b = {3, 4, 4, 5, 6, 6, 7, 8, 9, 9, 10, 12};
    MannWhitney.Result r = MannWhitney.test(a, b);
    assertFalse(r.exact());
    assertEquals(29.5, r.u());
    assertEquals(0.014740434837801814, r.p(), 1e-6);
    assertTrue(r.z() < 0, "a tends to be smaller");
  }

  @Test
  void identicalSamplesShowNoDifference() {
    double[] same = {5, 5, 5, 5};
    assertEquals(1.0, MannWhitney.test(same, same).p());
    double[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    assertEquals(1.0, MannWhitney.test(a, a.clone()).p(), 1e-12);
  }

  @Test
  void largeSamplesUseTheNormalApproximation() {
    double[] a = new double[60], b = new double[60];
    for (int i = 0; i < 60; i++) { a[i] = i; b[i] = i + 30.5; }
    MannWhitney.Result r = MannWhitney.test(a, b);
    assertFalse(r.exact());
    assertTrue(r.p() < 1e-4, "p=" + r.p());
  }
}
