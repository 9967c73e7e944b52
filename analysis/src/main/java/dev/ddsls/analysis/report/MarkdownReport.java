package dev.ddsls.analysis.report;

import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.InitAnalysis;
import dev.ddsls.analysis.coldstart.SnapStartReport;
import dev.ddsls.analysis.coldstart.Share;
import dev.ddsls.analysis.coldstart.WallSplit;
import dev.ddsls.analysis.connectivity.ConnectivityReport;
import dev.ddsls.analysis.service.ServiceReport;
import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.stats.Percentiles;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report as GitHub-flavoured markdown (for PR comments and job summaries). */
public final class MarkdownReport {
  private MarkdownReport() {}

  public static void write(DiagnoseReport r, PrintWriter o) {
    o.println("# ddsls diagnose");
    o.println();
    o.println("Source: " + code(r.source()) + (r.from() == null ? "" : ", " + r.from() + " .. " + r.to()));
    for (String n : r.notes()) o.println("> " + text(n));
    for (ColdStartReport f : r.functions()) {
      o.println();
      o.println("## " + text(f.function()));
      o.println();
      o.printf(Locale.ROOT, "%d invocations, %d cold starts (%.1f%%), by init type %s, by memory (MB) %s%n%n", f.invocations(),
          f.coldStarts(), f.coldStartRate() * 100, text(f.coldStartsByInitType().toString()), text(f.coldStartsByMemoryMb().toString()));
      o.println("| ms | n | p50 | p90 | p99 | max |");
      o.println("|---|---:|---:|---:|---:|---:|");
      row(o, "init duration", f.initMs());
      for (Map.Entry<String, Percentiles> e : f.phasesMs().entrySet()) row(o, e.getKey(), e.getValue());
      if (f.coldInvocationPenaltyMs() != null) {
        o.printf(Locale.ROOT, "%nCold-invocation penalty: %.1f ms (warm median %.1f ms)%n", f.coldInvocationPenaltyMs(), f.warmMedianMs());
      }
      SnapStartReport snap = f.snapStart();
      if (snap != null) {
        o.printf(Locale.ROOT, "%nSnapStart: %d snap-start cold starts, %d on-demand, %d restore errors (from %s)%n%n",
            snap.snapStartColdStarts(), snap.onDemandColdStarts(), snap.restoreErrors(), text(snap.source()));
        o.println("| ms | n | p50 | p90 | p99 | max |");
        o.println("|---|---:|---:|---:|---:|---:|");
        row(o, "restore", snap.restoreMs());
        row(o, "first invocation after restore", snap.firstInvocationAfterRestoreMs());
        if (snap.snapshotInitMs().n() > 0) row(o, "snapshot init", snap.snapshotInitMs());
      }
      InitAnalysis a = f.init();
      if (a != null) {
        int n = Math.max(1, a.breakdown().coldStarts());
        o.printf(Locale.ROOT, "%nInit per cold start (%d profiled): CPU %.0f ms (all threads), init thread wall %.0f ms, "
            + "class loading %.0f ms, JIT/GC %.0f ms%n%n", n, a.cpuMs(), a.wallMs(), a.classLoadingMs(), a.jitGcMs());
        WallSplit w = a.wallSplit();
        if (w.sampledWallMs() > 0) {
          o.printf(Locale.ROOT, "Init thread wall: on CPU %.0f ms, runnable %s, blocked %.0f ms %s; sampled %,.0f%s ms of init "
                  + "(the JVM's start before the agent's engine ran is not in the profile)%n%n", w.onCpuMs(),
              w.stateLabelled() ? String.format(Locale.ROOT, "%.0f ms", w.runnableMs()) : "unknown", w.blockedMs(),
              kinds(w.blockedByKind()), w.sampledWallMs(),
              f.initMs().p50() == null ? "" : String.format(Locale.ROOT, " of %,.0f", f.initMs().p50()));
        }
        o.println("| own frame (init CPU charged to it) | ms per cold start | % |");
        o.println("|---|---:|---:|");
        for (Share s : a.userFrames().subList(0, Math.min(8, a.userFrames().size()))) {
          o.printf(Locale.ROOT, "| %s | %.0f | %.1f |%n", cell(s.frame()), s.ms(), s.pct());
        }
        o.println();
        o.println("| hottest frame | self ms per cold start | self % | total % |");
        o.println("|---|---:|---:|---:|");
        for (FrameStat s : a.topFrames().subList(0, Math.min(8, a.topFrames().size()))) {
          o.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.1f |%n", cell(s.frame()), s.selfValue() / 1e6 / n, s.selfPct(), s.totalPct());
        }
      }
      findings(o, f.findings());
    }
    for (ServiceReport s : r.services()) {
      o.println();
      o.println("## Service " + text(s.service()) + " (no Lambda tags: a host or container)");
      o.println();
      o.printf(Locale.ROOT, "%d spans, %d profiles.%n%n", s.spans(), s.profiles());
      if (!s.endpoints().isEmpty()) {
        o.println("| endpoint | requests | errors | p50 ms | p99 ms |");
        o.println("|---|---:|---:|---:|---:|");
        for (ServiceReport.Endpoint e : s.endpoints()) {
          o.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f |%n", cell(e.resource()), e.requests(), e.errors(),
              e.durationMs().p50() == null ? 0 : e.durationMs().p50(), e.durationMs().p99() == null ? 0 : e.durationMs().p99());
        }
        o.println();
      }
      for (ServiceReport.Call call : s.callsInto()) o.printf(Locale.ROOT, "- calls function %s: %d invocations%n", text(call.function()), call.invocations());
      if (!s.topFrames().isEmpty()) {
        o.println();
        o.println("| top frame | self % | total % |");
        o.println("|---|---:|---:|");
        for (FrameStat f : s.topFrames()) o.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", cell(f.frame()), f.selfPct(), f.totalPct());
      }
    }
    ConnectivityReport c = r.connectivity();
    if (c != null) {
      o.println();
      o.println("## Trace connectivity");
      o.println();
      o.printf(Locale.ROOT, "%d invocation spans: %d connected (%.1f%%), %d orphans, %d roots (%d broken)%n%n", c.invocationSpans(),
          c.connected(), c.connectedRate() * 100, c.orphans(), c.roots(), c.broken());
      o.println("| trigger | total | connected | orphans | roots | broken |");
      o.println("|---|---:|---:|---:|---:|---:|");
      for (Map.Entry<String, ConnectivityReport.Counts> e : c.byTrigger().entrySet()) {
        ConnectivityReport.Counts k = e.getValue();
        o.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", text(e.getKey()), k.invocations(), k.connected(), k.orphans(), k.roots(), k.broken());
      }
      findings(o, c.findings());
    }
    o.flush();
  }

  private static void row(PrintWriter o, String name, Percentiles p) {
    if (p.n() == 0) o.printf(Locale.ROOT, "| %s | 0 | | | | |%n", name);
    else o.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", name, p.n(), p.p50(), p.p90(), p.p99(), p.max());
  }

  private static void findings(PrintWriter o, List<Finding> findings) {
    o.println();
    if (findings.isEmpty()) {
      o.println("No findings.");
      return;
    }
    o.println("### Findings");
    o.println();
    for (Finding f : findings) {
      o.println("- **" + f.severity().label() + "** " + code(f.id()) + ": " + text(f.title()) + "  ");
      o.println("  " + text(f.advice()) + " ([reference](<" + f.reference().replace(">", "%3E").replace("<", "%3C") + ">))");
    }
  }

  /**
   * Plain text as Markdown shows it: names such as {@code Handler.<clinit>} would otherwise be taken for HTML tags and
   * vanish, and {@code *}, {@code _}, {@code |} would start emphasis or end a table cell.
   */
  static String text(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\', '`', '*', '_', '[', ']', '|', '#', '~' -> b.append('\\').append(c);
        case '\n', '\r' -> b.append(' ');
        default -> b.append(c);
      }
    }
    return FlameGraph.esc(b.toString()); // then as HTML: GitHub's Markdown passes tags through
  }

  /** A code span that holds any text: the fence is longer than the longest run of backticks inside. */
  static String code(String s) {
    String flat = s.replace('\n', ' ').replace('\r', ' ');
    int run = 0, longest = 0;
    for (int i = 0; i < flat.length(); i++) {
      run = flat.charAt(i) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(longest + 1);
    String pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
    return fence + pad + flat + pad + fence;
  }

  /** A code span in a table cell: GitHub's tables end a cell at an unescaped {@code |}, even inside code. */
  static String cell(String s) { return code(s).replace("|", "\\|"); }

  private static String kinds(Map<String, Double> ms) {
    StringBuilder b = new StringBuilder("(");
    for (Map.Entry<String, Double> e : ms.entrySet()) {
      if (b.length() > 1) b.append(", ");
      b.append(String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()));
    }
    return ms.isEmpty() ? "" : b.append(')').toString();
  }
}
