package dev.ddsls.analysis.gate;

import java.util.Comparator;
import java.util.List;

/** All outcomes of a gate, in rule order. */
public record GateResult(String schema, List<Outcome> outcomes) {
  public boolean passed() { return count(Outcome.Verdict.FAIL) == 0; }

  public long count(Outcome.Verdict v) { return outcomes.stream().filter(o -> o.verdict() == v).count(); }

  /** Outcomes most severe first (stable within a severity). */
  public List<Outcome> bySeverity() {
    return outcomes.stream().sorted(Comparator.comparingInt(Outcome::severity)).toList();
  }
}
