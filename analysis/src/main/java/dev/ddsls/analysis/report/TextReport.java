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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report for a terminal: fits 100 columns; ANSI colour only when asked (the CLI asks when stdout is a terminal). */
public final class TextReport {
  static final int WIDTH = 100;
  private final PrintWriter o;
  private final boolean colour;

  private TextReport(PrintWriter o, boolean colour) {
    this.o = o;
    this.colour = colour;
  }

  public static void write(DiagnoseReport r, PrintWriter out, boolean colour) {
    new TextReport(out, colour).report(r);
    out.flush();
  }

  private void report(DiagnoseReport r) {
    o.println(bold("ddsls diagnose") + "  " + fit(r.source(), 60) + (r.from() == null ? "" : "  " + r.from() + " .. " + r.to()));
    DiagnoseReport.Inputs in = r.inputs();
    o.printf(Locale.ROOT, "inputs: %d spans, %d profiles, %d platform reports, %d X-Ray segments%n", in.spans(), in.profiles(),
        in.platformReports(), in.xraySegments());
    for (String n : r.notes()) note("", n);
    if (r.functions().isEmpty() && r.services().isEmpty()) o.println("\nno function found in the input");
    for (ColdStartReport f : r.functions()) function(f);
    for (ServiceReport s : r.services()) service(s);
    if (r.connectivity() != null) connectivity(r.connectivity());
  }

  private void function(ColdStartReport f) {
    o.println();
    o.println(bold("function " + f.function()) + (f.service() == null || f.service().equals(f.function()) ? "" : "  (service " + f.service() + ")"));
    o.printf(Locale.ROOT, "  invocations %d, cold starts %d (%.1f%%)   by init type %s   by memory (MB) %s%n", f.invocations(),
        f.coldStarts(), f.coldStartRate() * 100, f.coldStartsByInitType(), f.coldStartsByMemoryMb());
    o.printf(Locale.ROOT, "  %-22s %6s %9s %9s %9s %9s%n", "(ms)", "n", "p50", "p90", "p99", "max");
    pct("init duration", f.initMs());
    for (Map.Entry<String, Percentiles> e : f.phasesMs().entrySet()) {
      if (e.getValue().n() > 0) pct("  " + e.getKey(), e.getValue());
    }
    if (f.coldInvocationPenaltyMs() != null) {
      o.printf(Locale.ROOT, "  cold-invocation penalty %.1f ms (first invocation p50 minus warm median %.1f ms)%n",
          f.coldInvocationPenaltyMs(), f.warmMedianMs());
    }
    snapStart(f.snapStart());
    InitAnalysis a = f.init();
    if (a != null) {
      o.println();
      // CPU is all threads' (JIT and GC included); wall is the init thread's, split below by what it was doing.
      int n = Math.max(1, a.breakdown().coldStarts());
      String summary = String.format(Locale.ROOT, "init per cold start (%d profiled): CPU %.0f ms (all threads), init thread "
              + "wall %s, class loading %.0f ms, JIT/GC %.0f ms", n, a.cpuMs(),
          a.wallMs() > 0 ? String.format(Locale.ROOT, "%.0f ms", a.wallMs()) : "-", a.classLoadingMs(), a.jitGcMs());
      for (String l : wrap(summary, WIDTH - 4)) o.println("  " + l);
      WallSplit w = a.wallSplit();
      if (w.sampledWallMs() > 0) {
        Double init = f.initMs().p50();
        String sampled = (init == null
            ? String.format(Locale.ROOT, "sampled %,.0f ms of init", w.sampledWallMs())
            : String.format(Locale.ROOT, "sampled %,.0f of %,.0f ms of init", w.sampledWallMs(), init))
            + "; the JVM's start before the agent's engine ran is not in the profile";
        for (String l : wrap(sampled, WIDTH - 4)) o.println("  " + l);
        StringBuilder kinds = new StringBuilder();
        for (Map.Entry<String, Double> e : w.blockedByKind().entrySet()) {
          kinds.append(kinds.length() == 0 ? " (" : ", ").append(String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()));
        }
        if (kinds.length() > 0) kinds.append(')');
        String line = String.format(Locale.ROOT, "init thread wall: on CPU %.0f ms, %s, blocked %.0f ms%s", w.onCpuMs(),
            w.stateLabelled() ? String.format(Locale.ROOT, "runnable %.0f ms", w.runnableMs()) : "runnable unknown",
            w.blockedMs(), kinds);
        if (w.unclassifiedMs() > 0.5) line += String.format(Locale.ROOT, ", unclassified %.0f ms", w.unclassifiedMs());
        for (String l : wrap(line, WIDTH - 4)) o.println("  " + l);
      }
      shares("  the function's own code init CPU is charged to", a.userFrames(), 6);
      frames("  hottest frames (self ms per cold start, self / total % of init CPU)", a.topFrames(), 6, n);
      o.println("  packages (self % of init CPU)");
      for (FrameStat p : a.breakdown().packages().subList(0, Math.min(6, a.breakdown().packages().size()))) {
        o.printf(Locale.ROOT, "    %5.1f%%  %s%n", p.selfPct(), fit(p.frame(), WIDTH - 14));
      }
      if (!a.staticInitialisers().isEmpty()) shares("  static initialisers of the function's classes", a.staticInitialisers(), 4);
      if (!a.waiting().isEmpty() && a.offCpuMs() > 0) {
        o.println("  blocked (ms, kind)");
        for (InitAnalysis.Waiting b : a.waiting().subList(0, Math.min(4, a.waiting().size()))) {
          o.printf(Locale.ROOT, "    %7.0f  %-18s %s%n", b.ms(), b.kind() == null ? "" : b.kind(),
              fit(b.frame() + (b.waitingIn() == null ? "" : "  in " + b.waitingIn()), WIDTH - 33));
        }
      }
    }
    for (String n : f.notes()) note("  ", n);
    findings(f.findings());
  }

  /** A service without Lambda's tags: its endpoints, the functions it calls, its top frames. */
  private void service(ServiceReport s) {
    o.println();
    o.println(bold("service " + s.service()) + "  (no Lambda tags: a host or container)");
    o.printf(Locale.ROOT, "  spans %d, profiles %d%n", s.spans(), s.profiles());
    if (!s.endpoints().isEmpty()) {
      o.printf(Locale.ROOT, "  %-40s %8s %7s %9s %9s%n", "endpoint", "requests", "errors", "p50 ms", "p99 ms");
      for (ServiceReport.Endpoint e : s.endpoints()) {
        o.printf(Locale.ROOT, "  %-40s %8d %7d %9s %9s%n", fit(e.resource(), 40), e.requests(), e.errors(), ms(e.durationMs().p50()),
            ms(e.durationMs().p99()));
      }
    }
    for (ServiceReport.Call c : s.callsInto()) o.printf(Locale.ROOT, "  calls function %s: %d invocations%n", c.function(), c.invocations());
    if (!s.topFrames().isEmpty()) {
      o.println("  top frames (self, " + s.samples().kind() + ")");
      for (FrameStat f : s.topFrames()) o.printf(Locale.ROOT, "    %5.1f%%  %s%n", f.selfPct(), fit(f.frame(), WIDTH - 14));
    }
  }

  private static String ms(Double v) { return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v); }

  private void connectivity(ConnectivityReport c) {
    o.println();
    o.println(bold("trace connectivity"));
    o.printf(Locale.ROOT, "  invocation spans %d: connected %d (%.1f%%), orphans %d, roots %d (broken %d)%n", c.invocationSpans(),
        c.connected(), c.connectedRate() * 100, c.orphans(), c.roots(), c.broken());
    o.printf(Locale.ROOT, "  %-16s %8s %10s %8s %8s %8s%n", "trigger", "total", "connected", "orphans", "roots", "broken");
    for (Map.Entry<String, ConnectivityReport.Counts> e : c.byTrigger().entrySet()) {
      ConnectivityReport.Counts k = e.getValue();
      o.printf(Locale.ROOT, "  %-16s %8d %10d %8d %8d %8d%n", fit(e.getKey(), 16), k.invocations(), k.connected(), k.orphans(),
          k.roots(), k.broken());
    }
    if (!c.edges().isEmpty()) {
      o.println("  edges (upstream -> trigger -> function)");
      for (ConnectivityReport.Edge e : c.edges()) {
        o.printf(Locale.ROOT, "    %6d  %s%n", e.invocations(), fit(e.from() + " -> " + e.trigger() + " -> " + e.to(), WIDTH - 12));
      }
    }
    if (c.xray() != null && (c.xray().segments() > 0 || c.xray().invocationsWithXRayId() > 0)) {
      o.printf(Locale.ROOT, "  X-Ray: %d segments, %d invocations with an X-Ray trace id: joined %d, not joined %d%n",
          c.xray().segments(), c.xray().invocationsWithXRayId(), c.xray().joined(), c.xray().notJoined());
    }
    for (ConnectivityReport.Anomaly a : c.anomalies().subList(0, Math.min(10, c.anomalies().size()))) {
      o.println("  anomaly: " + fit(a.kind() + " trace " + a.traceId() + ": " + a.detail(), WIDTH - 12));
    }
    findings(c.findings());
  }

  private void findings(List<Finding> findings) {
    o.println();
    if (findings.isEmpty()) {
      o.println("  " + green("no findings"));
      return;
    }
    o.println("  findings (most important first)");
    for (Finding f : findings) {
      String sev = f.severity().label().toUpperCase(Locale.ROOT);
      o.println("  " + (f.severity() == Finding.Severity.HIGH ? red(sev) : yellow(sev)) + " " + bold(f.id()));
      for (String line : wrap(f.title(), WIDTH - 6)) o.println("    " + line);
      for (String line : wrap(f.advice(), WIDTH - 6)) o.println("      " + line);
      o.println("      see " + f.reference());
    }
  }

  /** A note wrapped to the width, continuation lines indented under its text. */
  private void note(String indent, String n) {
    List<String> lines = wrap(n, WIDTH - indent.length() - 6);
    for (int i = 0; i < lines.size(); i++) o.println(indent + (i == 0 ? "note: " : "      ") + lines.get(i));
  }

  /** SnapStart's cold starts apart from the on-demand ones: restores, the first invocation after them, failures. */
  private void snapStart(SnapStartReport s) {
    if (s == null) return;
    o.printf(Locale.ROOT, "  snap-start cold starts %d, on-demand %d, restore errors %d (from %s)%n", s.snapStartColdStarts(),
        s.onDemandColdStarts(), s.restoreErrors(), s.source());
    pct("restore", s.restoreMs());
    pct("first after restore", s.firstInvocationAfterRestoreMs());
    if (s.snapshotInitMs().n() > 0) pct("snapshot init", s.snapshotInitMs());
  }

  private void pct(String name, Percentiles p) {
    if (p.n() == 0) {
      o.printf(Locale.ROOT, "  %-22s %6d %9s%n", name, 0, "-");
      return;
    }
    o.printf(Locale.ROOT, "  %-22s %6d %9.1f %9.1f %9.1f %9.1f%n", name, p.n(), p.p50(), p.p90(), p.p99(), p.max());
  }

  private void shares(String title, List<Share> rows, int n) {
    o.println(title);
    if (rows.isEmpty()) o.println("    (none)");
    for (Share s : rows.subList(0, Math.min(n, rows.size()))) {
      o.printf(Locale.ROOT, "    %7.0f ms %5.1f%%  %s%n", s.ms(), s.pct(), fit(s.frame(), WIDTH - 24));
    }
  }

  private void frames(String title, List<FrameStat> rows, int n, int coldStarts) {
    o.println(title);
    for (FrameStat f : rows.subList(0, Math.min(n, rows.size()))) {
      o.printf(Locale.ROOT, "    %7.0f ms %5.1f%% %5.1f%%  %s%n", f.selfValue() / 1e6 / coldStarts, f.selfPct(), f.totalPct(),
          fit(f.frame(), WIDTH - 30));
    }
  }

  static String fit(String s, int width) {
    if (s == null) return "";
    return s.length() <= width ? s : "..." + s.substring(s.length() - width + 3);
  }

  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) line.append(' ');
      line.append(word);
    }
    if (line.length() > 0) lines.add(line.toString());
    return lines;
  }

  private String bold(String s) { return colour ? "\u001b[1m" + s + "\u001b[0m" : s; }

  private String red(String s) { return colour ? "\u001b[31m" + s + "\u001b[0m" : s; }

  private String yellow(String s) { return colour ? "\u001b[33m" + s + "\u001b[0m" : s; }

  private String green(String s) { return colour ? "\u001b[32m" + s + "\u001b[0m" : s; }
}
