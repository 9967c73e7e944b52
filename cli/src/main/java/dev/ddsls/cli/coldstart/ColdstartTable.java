package dev.ddsls.cli.coldstart;

import dev.ddsls.analysis.stats.Percentiles;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The human-readable form of the results: one row per run, the summary, failures with the end of their output. */
final class ColdstartTable {
  /** What --snapstart emulates and what it cannot: said with every SnapStart table, as in docs/configuration.md. */
  static final String SNAPSTART_NOTE = "snap-start is emulated in one JVM: the runtime client's beforeCheckpoint hooks,"
      + " /restore/next, the afterRestore hooks and their order and errors are real; no memory snapshot is taken or loaded, so"
      + " the restored microVM's page faults and the clock jump between snapshot and restore are not in 'restore'";

  private ColdstartTable() {}

  static void print(ColdstartResults res, String resultsFile, PrintStream out) {
    out.printf(Locale.ROOT, "ddsls coldstart  %s  agent %s  memory %d MB  %s  package %s%n%n", res.handler, res.agent ? "on" : "off",
        res.memoryMb, res.start.initializationType(), res.start.packageLayout() == null ? "-" : res.start.packageLayout());
    out.printf(Locale.ROOT, "%-4s %-13s %9s %8s %8s %13s %10s %10s%n",
        "run", "status", "init ms", "jvm", "agent", "runtime-init", "first ms", "warm p50");
    for (RunResult r : res.runs) {
      AgentPhases.Phases ph = r.phasesMs();
      List<Double> inv = r.invocationsMs();
      Percentiles warm = Percentiles.of(inv.size() > 1 ? inv.subList(1, inv.size()) : List.<Double>of());
      out.printf(Locale.ROOT, "%-4d %-13s %9s %8s %8s %13s %10s %10s%n", r.run(), r.status().label, ms(r.initMs()),
          ph == null ? "-" : ms(ph.jvm()), ph == null ? "-" : ms(ph.agent()), ph == null ? "-" : ms(ph.runtimeInit()),
          ms(inv.isEmpty() ? null : inv.get(0)), ms(warm.p50()));
    }
    out.println();
    out.printf(Locale.ROOT, "%-18s %4s %9s %9s %9s %9s%n", "summary (ms)", "n", "p50", "p90", "p99", "max");
    row(out, res.start.snapStart() ? "snapshot init" : "init", res.initMs());
    if (res.start.snapStart()) micros(out, "restore", res.restoreMs());
    row(out, "first invocation", res.firstInvocationMs());
    row(out, "warm invocations", res.warmInvocationMs());
    // Billed Duration: to the response plus what runs after it (an extension, the agent's flush); 3 decimals, since
    // the post-runtime part of a warm invocation is often below the 0.1 ms of the rows above.
    micros(out, "first Duration", res.firstDurationMs());
    micros(out, "warm Duration", res.warmDurationMs());
    micros(out, "first post-runtime", res.firstPostRuntimeMs());
    micros(out, "warm post-runtime", res.warmPostRuntimeMs());
    if (res.agent) {
      RuntimeApiEmulator.Uploads u = res.uploads();
      if (u.traces() == 0 && u.profiles() == 0) {
        out.printf(Locale.ROOT, "%nagent uploads: none reached ddsls (sent to DD_TRACE_AGENT_URL when --env sets it)%n");
      } else {
        out.printf(Locale.ROOT, "%nagent uploads: %d trace requests, %d profiles, %d bytes%n", u.traces(), u.profiles(), u.bytes());
      }
    }
    for (RunResult r : res.runs) {
      if (r.ok()) continue;
      out.printf(Locale.ROOT, "%nrun %d %s: %s%n", r.run(), r.status().label, r.error());
      for (String line : r.outputTail()) out.println("  | " + line);
    }
    if (res.start.snapStart()) out.printf(Locale.ROOT, "%n%s%n", SNAPSTART_NOTE);
    out.printf(Locale.ROOT, "%nresults: %s%n", resultsFile);
  }

  private static void row(PrintStream out, String name, Percentiles p) {
    out.printf(Locale.ROOT, "%-18s %4d %9s %9s %9s %9s%n", name, p.n(), ms(p.p50()), ms(p.p90()), ms(p.p99()), ms(p.max()));
  }

  private static void micros(PrintStream out, String name, Percentiles p) {
    out.printf(Locale.ROOT, "%-18s %4d %9s %9s %9s %9s%n", name, p.n(), us(p.p50()), us(p.p90()), us(p.p99()), us(p.max()));
  }

  private static String us(Double v) { return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v); }

  private static String ms(Double v) { return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v); }
}
