package dev.ddsls.analysis.report;

import static dev.ddsls.analysis.report.FlameGraph.esc;

import dev.ddsls.analysis.coldstart.InitAnalysis;
import dev.ddsls.analysis.coldstart.Share;
import dev.ddsls.analysis.coldstart.WallSplit;
import dev.ddsls.analysis.pprof.FrameStat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report's init tables: the same rows as the text report (own code, hottest frames, packages, static
 * initialisers, blocked frames, wall split), in milliseconds per cold start. Each table has a class naming its
 * content so that a reader (or a test) finds it without depending on the layout.
 */
final class InitTables {
  private static final int ROWS = 10;

  private InitTables() {}

  static void write(StringBuilder b, InitAnalysis a, String id) {
    int n = Math.max(1, a.breakdown().coldStarts());
    b.append("<div class=\"init-tables\" id=\"").append(id).append("\">\n");
    wallSplit(b, a.wallSplit());
    b.append("<h4>The function's own code (init CPU charged to it)</h4>\n");
    shares(b, "own-frames", a.userFrames());
    b.append("<h4>Hottest frames</h4>\n");
    frames(b, "hot-frames", "frame", a.topFrames(), n);
    b.append("<h4>Packages</h4>\n");
    frames(b, "packages", "package", a.breakdown().packages(), n);
    if (!a.staticInitialisers().isEmpty()) {
      b.append("<h4>Static initialisers of the function's classes</h4>\n");
      shares(b, "static-initialisers", a.staticInitialisers());
    }
    if (!a.waiting().isEmpty()) {
      b.append("<h4>Blocked (waits)</h4>\n");
      waits(b, a.waiting());
    }
    b.append("</div>\n");
  }

  private static void shares(StringBuilder b, String cls, List<Share> rows) {
    if (rows.isEmpty()) {
      b.append("<p class=\"none ").append(cls).append("\">(none)</p>\n");
      return;
    }
    b.append("<table class=\"").append(cls).append("\"><tr><th>ms per cold start</th><th>% of init CPU</th><th>frame</th></tr>\n");
    for (Share s : rows.subList(0, Math.min(ROWS, rows.size()))) {
      b.append("<tr><td class=\"num\">").append(ms(s.ms())).append("</td><td class=\"num\">").append(pct(s.pct()))
          .append("</td><td><code>").append(esc(s.frame())).append("</code></td></tr>\n");
    }
    b.append("</table>\n");
  }

  /** Self and total of frames (or packages), their values turned from sums over all cold starts into ms per cold start. */
  private static void frames(StringBuilder b, String cls, String what, List<FrameStat> rows, int coldStarts) {
    if (rows.isEmpty()) {
      b.append("<p class=\"none ").append(cls).append("\">(none)</p>\n");
      return;
    }
    b.append("<table class=\"").append(cls).append("\"><tr><th>self ms per cold start</th><th>self %</th>")
        .append("<th>total ms per cold start</th><th>total %</th><th>").append(what).append("</th></tr>\n");
    for (FrameStat f : rows.subList(0, Math.min(ROWS, rows.size()))) {
      b.append("<tr><td class=\"num\">").append(ms(f.selfValue() / 1e6 / coldStarts)).append("</td><td class=\"num\">")
          .append(pct(f.selfPct())).append("</td><td class=\"num\">").append(ms(f.totalValue() / 1e6 / coldStarts))
          .append("</td><td class=\"num\">").append(pct(f.totalPct())).append("</td><td><code>").append(esc(f.frame()))
          .append("</code></td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void waits(StringBuilder b, List<InitAnalysis.Waiting> rows) {
    b.append("<table class=\"waits\"><tr><th>blocked ms per cold start</th><th>wall ms per cold start</th><th>kind</th>")
        .append("<th>frame</th><th>waiting in</th></tr>\n");
    for (InitAnalysis.Waiting w : rows.subList(0, Math.min(ROWS, rows.size()))) {
      b.append("<tr><td class=\"num\">").append(ms(w.ms())).append("</td><td class=\"num\">").append(ms(w.wallMs()))
          .append("</td><td>").append(w.kind() == null ? "" : esc(w.kind())).append("</td><td><code>").append(esc(w.frame()))
          .append("</code></td><td>").append(w.waitingIn() == null ? "" : "<code>" + esc(w.waitingIn()) + "</code>")
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void wallSplit(StringBuilder b, WallSplit w) {
    if (w.sampledWallMs() <= 0) return;
    b.append("<table class=\"wall-split\"><tr><th>init thread wall, ms per cold start</th><th></th></tr>\n");
    row(b, "sampled", w.sampledWallMs());
    row(b, "on CPU", w.onCpuMs());
    if (w.stateLabelled()) row(b, "runnable (waiting for a CPU)", w.runnableMs());
    row(b, "blocked", w.blockedMs());
    for (Map.Entry<String, Double> e : w.blockedByKind().entrySet()) row(b, "&nbsp;&nbsp;blocked: " + esc(e.getKey()), e.getValue());
    if (w.unclassifiedMs() > 0.5) row(b, "unclassified", w.unclassifiedMs());
    b.append("</table>\n");
  }

  private static void row(StringBuilder b, String label, double ms) {
    b.append("<tr><td>").append(label).append("</td><td class=\"num\">").append(ms(ms)).append("</td></tr>\n");
  }

  static String ms(double v) { return String.format(Locale.ROOT, "%,.1f", v); }

  private static String pct(double v) { return String.format(Locale.ROOT, "%.1f", v); }
}
