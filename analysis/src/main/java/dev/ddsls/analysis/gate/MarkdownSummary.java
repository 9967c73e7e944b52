package dev.ddsls.analysis.gate;

/** The gate as Markdown for {@code $GITHUB_STEP_SUMMARY} (or a merge-request note). */
public final class MarkdownSummary {
  private MarkdownSummary() {}

  public static String render(GateResult result) {
    StringBuilder sb = new StringBuilder();
    sb.append("### ddsls gate: ").append(result.passed() ? "passed" : "**failed**").append("\n\n");
    sb.append("| rule | subject | baseline | candidate | change | verdict |\n");
    sb.append("|---|---|--:|--:|--:|---|\n");
    for (Outcome o : result.outcomes()) {
      String icon = o.verdict() == Outcome.Verdict.PASS ? "✅" : o.verdict() == Outcome.Verdict.WARN ? "⚠️" : "❌";
      sb.append("| `").append(cell(o.rule())).append("`").append(o.level() == Level.WARN ? " (warn)" : "")
          .append(" | ").append(cell(o.subject()))
          .append(" | ").append(Format.value(o.baseline(), o.unit()))
          .append(" | ").append(Format.value(o.candidate(), o.unit()))
          .append(" | ").append(Format.change(o))
          .append(" | ").append(icon).append(' ').append(o.verdictLabel()).append(" |\n");
    }
    sb.append('\n');
    for (Outcome o : result.bySeverity()) {
      if (o.verdict() == Outcome.Verdict.PASS) continue;
      sb.append("- **").append(o.verdict()).append("** ").append(cell(o.subject())).append(": ")
          .append(cell(o.message())).append('\n');
      if (!o.detail().isEmpty()) sb.append("\n```\n").append(o.detail()).append(o.detail().endsWith("\n") ? "" : "\n").append("```\n");
    }
    sb.append('\n').append(GateTable.summaryLine(result)).append("\n\n");
    return sb.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
