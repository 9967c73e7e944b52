package dev.ddsls.analysis.gate;

import java.util.ArrayList;
import java.util.List;

/** The gate's text table: rule, subject, baseline, candidate, change (with CI for regressions), verdict. */
public final class GateTable {
  private GateTable() {}

  public static String render(GateResult result) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"rule", "subject", "baseline", "candidate", "change", "verdict"});
    for (Outcome o : result.outcomes()) {
      rows.add(new String[] {o.rule() + (o.level() == Level.WARN ? " (warn)" : ""), o.subject(),
          Format.value(o.baseline(), o.unit()), Format.value(o.candidate(), o.unit()), Format.change(o),
          o.verdictLabel()});
    }
    int[] width = new int[6];
    for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        boolean numeric = i >= 2 && i <= 4;
        boolean last = i == r.length - 1;
        String pad = last ? "" : " ".repeat(width[i] - r[i].length());
        String cell = numeric ? pad + r[i] : r[i] + pad;
        sb.append(cell).append(i + 1 < r.length ? "  " : "");
      }
      sb.append("\n");
    }
    sb.append('\n');
    for (Outcome o : result.outcomes()) {
      if (o.verdict() == Outcome.Verdict.PASS) continue;
      sb.append(o.verdict() == Outcome.Verdict.FAIL ? "FAIL " : "WARN ").append(o.subject()).append(": ")
          .append(o.message()).append('\n');
      if (!o.detail().isEmpty()) sb.append(o.detail().indent(2));
    }
    sb.append(summaryLine(result)).append('\n');
    return sb.toString();
  }

  /** "gate failed: 1 failed, 2 warnings, 3 passed" or "gate passed: ...". */
  public static String summaryLine(GateResult result) {
    return "gate " + (result.passed() ? "passed" : "failed") + ": " + result.count(Outcome.Verdict.FAIL)
        + " failed, " + result.count(Outcome.Verdict.WARN) + " warnings, " + result.count(Outcome.Verdict.PASS)
        + " passed";
  }
}
