package dev.ddsls.analysis.findings;

import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

/**
 * One diagnosis: a stable id (see DESIGN.md), a severity, a one-line title, the evidence it rests on (numbers,
 * frames and the ids of the spans/profiles they came from), advice and a reference for the advice.
 * {@code impactMs} orders findings of the same severity (milliseconds per cold start or per invocation at stake).
 */
public record Finding(String id, Severity severity, String title, Map<String, Object> evidence, String advice, String reference,
                      double impactMs) {
  public enum Severity {
    HIGH, MEDIUM, LOW;

    public String label() { return name().toLowerCase(Locale.ROOT); }
  }

  /** Most important first: severity, then impact, then id. */
  public static final Comparator<Finding> ORDER = Comparator.comparing(Finding::severity)
      .thenComparing(Comparator.comparingDouble(Finding::impactMs).reversed()).thenComparing(Finding::id);
}
