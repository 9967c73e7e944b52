package dev.ddsls.analysis.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * GitHub Actions workflow commands ({@code ::error title=...::message}) for failed and warned rules, most severe
 * first, at most {@value #MAX_PER_KIND} per kind (GitHub shows only 10 annotations of each kind per step).
 */
public final class GithubAnnotations {
  public static final int MAX_PER_KIND = 10;

  private GithubAnnotations() {}

  public static List<String> render(GateResult result) {
    List<String> lines = new ArrayList<>();
    int errors = 0, warnings = 0;
    for (Outcome o : result.bySeverity()) {
      if (o.verdict() == Outcome.Verdict.PASS) continue;
      boolean error = o.verdict() == Outcome.Verdict.FAIL;
      if (error ? errors++ >= MAX_PER_KIND : warnings++ >= MAX_PER_KIND) continue;
      String title = "ddsls gate: " + o.rule() + (o.subject().equals("-") ? "" : " (" + o.subject() + ")");
      String message = o.message() + (o.detail().isEmpty() ? "" : "\n" + o.detail());
      lines.add("::" + (error ? "error" : "warning") + " title=" + escapeProperty(title) + "::" + escapeData(message));
    }
    return lines;
  }

  /** Escapes a command's data (after the last {@code ::}): % CR LF, as the Actions toolkit does. */
  public static String escapeData(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** Escapes a property value: the data escapes plus {@code :} and {@code ,}, which delimit properties. */
  public static String escapeProperty(String s) {
    return escapeData(s).replace(":", "%3A").replace(",", "%2C");
  }
}
