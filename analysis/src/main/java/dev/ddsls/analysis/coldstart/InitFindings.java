package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.findings.Finding.Severity;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.stats.Percentiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cold-start rules. Each fires only on evidence above a threshold that a healthy Java function (the runtime
 * client's own start-up, a few hundred ms of class loading) stays under, so a healthy function gets no finding.
 * Thresholds are per cold start.
 */
final class InitFindings {
  /** Init CPU charged to one frame of the function's own code. */
  static final double HOTSPOT_MS = 100, HOTSPOT_PCT = 15;
  /** Wall time of the init thread not spent on CPU. */
  static final double OFF_CPU_MS = 200, OFF_CPU_PCT = 25;
  static final double PENALTY_MS = 250, PENALTY_FACTOR = 3;
  static final double CLASS_LOADING_MS = 800, CLASS_LOADING_PCT = 50;
  static final double JIT_GC_MS = 300, JIT_GC_PCT = 30;
  static final double LIBRARY_MS = 150, LIBRARY_PCT = 15;

  private InitFindings() {}

  static List<Finding> of(Percentiles initMs, Percentiles firstInvocation, Double warmMedian, Double penalty, InitAnalysis a,
                          List<String> coldIds) {
    List<Finding> out = new ArrayList<>();
    List<String> ids = coldIds.size() > 20 ? coldIds.subList(0, 20) : coldIds;
    if (a != null) {
      double cpu = a.cpuMs();
      // init-cpu-hotspot: the function's own frame that most init CPU is charged to.
      if (!a.userFrames().isEmpty()) {
        Share top = a.userFrames().get(0);
        if (top.ms() >= HOTSPOT_MS && top.pct() >= HOTSPOT_PCT) {
          Map<String, Object> ev = evidence(a, ids);
          ev.put("frame", top.frame());
          ev.put("cpuMs", round(top.ms()));
          ev.put("pctOfInitCpu", round(top.pct()));
          ev.put("initCpuMs", round(cpu));
          ev.put("callers", callersOf(top.frame(), a));
          ev.put("frames", a.userFrames().subList(0, Math.min(5, a.userFrames().size())));
          out.add(new Finding("init-cpu-hotspot", top.ms() >= 500 || top.pct() >= 50 ? Severity.HIGH : Severity.MEDIUM,
              String.format(java.util.Locale.ROOT, "%s takes %.0f ms of init CPU (%.0f%%)", top.frame(), top.ms(), top.pct()), ev,
              "Move this work out of the static initialiser / constructor: compute it lazily on first use, precompute it at "
                  + "build time, or snapshot it with SnapStart (with priming).",
              "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html", top.ms()));
        }
      }
      // init-off-cpu: init waits (I/O, sleep, locks) in the function's own code rather than computes.
      double wall = a.wallMs();
      List<InitAnalysis.Waiting> own = new ArrayList<>();
      double ownOff = 0;
      for (InitAnalysis.Waiting w : a.waiting()) {
        if (w.ownAndMostlyWaiting()) {
          own.add(w);
          ownOff += w.ms();
        }
      }
      if (ownOff >= OFF_CPU_MS && wall > 0 && ownOff * 100 / wall >= OFF_CPU_PCT) {
        Map<String, Object> ev = evidence(a, ids);
        InitAnalysis.Waiting w = own.get(0);
        ev.put("frame", w.frame());
        ev.put("waitingIn", w.waitingIn());
        ev.put("offCpuMs", round(ownOff));
        ev.put("initOffCpuMs", round(a.offCpuMs()));
        ev.put("initWallMs", round(wall));
        ev.put("initCpuMs", round(cpu));
        ev.put("waiting", own.subList(0, Math.min(5, own.size())));
        String in = w.waitingIn() == null || w.waitingIn().equals(w.frame()) ? "" : " (in " + w.waitingIn() + ")";
        out.add(new Finding("init-off-cpu", ownOff >= 500 ? Severity.HIGH : Severity.MEDIUM,
            String.format(java.util.Locale.ROOT, "init waits %.0f ms off-CPU in %s%s", ownOff, w.frame(), in), ev,
            "Init is blocked, not busy: fetch secrets/config lazily or in parallel, cache them across invocations "
                + "(e.g. the Parameters/Secrets extension), and avoid sleeps and retries in static initialisers.",
            "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html", ownOff));
      }
      // class-loading-heavy
      if (a.classLoadingMs() >= CLASS_LOADING_MS && cpu > 0 && a.classLoadingMs() * 100 / cpu >= CLASS_LOADING_PCT) {
        Map<String, Object> ev = evidence(a, ids);
        ev.put("classLoadingCpuMs", round(a.classLoadingMs()));
        ev.put("pctOfInitCpu", round(a.classLoadingMs() * 100 / cpu));
        ev.put("topPackages", a.breakdown().packages());
        out.add(finding(Signature.CLASS_LOADING, a.classLoadingMs() >= 2000 ? Severity.HIGH : Severity.MEDIUM,
            String.format(java.util.Locale.ROOT, "class loading takes %.0f ms of init CPU (%.0f%%)", a.classLoadingMs(),
                a.classLoadingMs() * 100 / cpu), ev, a.classLoadingMs()));
      }
      // jit-or-gc-in-init
      if (a.jitGcMs() >= JIT_GC_MS && cpu > 0 && a.jitGcMs() * 100 / cpu >= JIT_GC_PCT) {
        Map<String, Object> ev = evidence(a, ids);
        ev.put("jitGcCpuMs", round(a.jitGcMs()));
        ev.put("pctOfInitCpu", round(a.jitGcMs() * 100 / cpu));
        out.add(new Finding("jit-or-gc-in-init", Severity.MEDIUM,
            String.format(java.util.Locale.ROOT, "JIT compiler and GC threads use %.0f ms of init CPU", a.jitGcMs()), ev,
            "Keep -XX:TieredStopAtLevel=1 (the Java 17/21 runtime default; check JAVA_TOOL_OPTIONS for overrides) and give "
                + "the function more memory (more CPU, fewer collections).",
            "https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html", a.jitGcMs()));
      }
      // well-known libraries
      for (Signature sig : Signature.LIBRARIES) {
        double ms = a.librariesMs().getOrDefault(sig.id(), 0.0);
        if (ms >= LIBRARY_MS && cpu > 0 && ms * 100 / cpu >= LIBRARY_PCT) {
          Map<String, Object> ev = evidence(a, ids);
          ev.put("cpuMs", round(ms));
          ev.put("pctOfInitCpu", round(ms * 100 / cpu));
          ev.put("matchedFramePrefixes", sig.prefixes());
          out.add(finding(sig, ms >= 500 ? Severity.HIGH : Severity.MEDIUM,
              String.format(java.util.Locale.ROOT, "%s: %.0f ms of init CPU (%.0f%%)", sig.title(), ms, ms * 100 / cpu), ev, ms));
        }
      }
    }
    // cold-invocation-penalty
    if (penalty != null && warmMedian != null && penalty >= PENALTY_MS && firstInvocation.p50() >= PENALTY_FACTOR * warmMedian) {
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("firstInvocationMs", firstInvocation);
      ev.put("warmMedianMs", round(warmMedian));
      ev.put("penaltyMs", penalty);
      ev.put("coldStartSpanIds", ids);
      out.add(new Finding("cold-invocation-penalty", penalty >= 1000 ? Severity.HIGH : Severity.MEDIUM,
          String.format(java.util.Locale.ROOT, "the first invocation is %.0f ms slower than a warm one", penalty), ev,
          "Work deferred to the first request (lazy clients, first-use class loading, JIT warm-up) is paid by a user: "
              + "prime it in init (a warm-up call) or in a SnapStart beforeCheckpoint hook.",
          "https://aws.amazon.com/blogs/compute/optimizing-cold-start-performance-of-aws-lambda-using-advanced-priming-strategies-with-snapstart/",
          penalty));
    }
    return out;
  }

  private static Finding finding(Signature sig, Severity sev, String title, Map<String, Object> ev, double impact) {
    return new Finding(sig.id(), sev, title, ev, sig.advice(), sig.reference(), impact);
  }

  private static Map<String, Object> evidence(InitAnalysis a, List<String> ids) {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("coldStarts", a.breakdown().coldStarts());
    ev.put("coldStartSpanIds", ids);
    ev.put("profileIds", a.profileIds().size() > 20 ? a.profileIds().subList(0, 20) : a.profileIds());
    return ev;
  }

  /** The function's own frames above {@code frame} on the init path (its callers), by total. */
  private static List<String> callersOf(String frame, InitAnalysis a) {
    List<String> out = new ArrayList<>();
    for (FrameStat f : a.breakdown().ownFrames()) {
      if (!f.frame().equals(frame) && out.size() < 3) out.add(f.frame());
    }
    return out;
  }

  static double round(double v) { return Math.round(v * 10) / 10.0; }
}
