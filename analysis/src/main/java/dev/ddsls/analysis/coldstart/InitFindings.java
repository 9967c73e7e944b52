package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.findings.Finding.Severity;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.stats.Percentiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Locale;
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
  /** First invocation slower than a warm one: by this much, or by this factor and at least PENALTY_MIN_MS. */
  static final double PENALTY_MS = 250, PENALTY_FACTOR = 5, PENALTY_MIN_MS = 50;
  static final double CLASS_LOADING_MS = 800, CLASS_LOADING_PCT = 50;
  static final double JIT_GC_MS = 300, JIT_GC_PCT = 30;
  static final double LIBRARY_MS = 150, LIBRARY_PCT = 15;

  private InitFindings() {}

  static List<Finding> of(Percentiles initMs, Percentiles firstInvocation, Double warmMedian, Double penalty, InitAnalysis a,
                          List<String> coldIds) {
    return of(initMs, firstInvocation, warmMedian, penalty, a, coldIds, Kernel.NONE, null);
  }

  static List<Finding> of(Percentiles initMs, Percentiles firstInvocation, Double warmMedian, Double penalty, InitAnalysis a,
                          List<String> coldIds, Kernel kernel, FirstInvocationCost first) {
    List<Finding> out = new ArrayList<>();
    List<String> ids = coldIds.size() > 20 ? coldIds.subList(0, 20) : coldIds;
    if (a != null) {
      double cpu = a.cpuMs();
      // init-cpu-hotspot: the function's own frame that most init CPU is charged to, with the recognised libraries
      // it explains (their samples mostly charged to it) nested in it, so no time is counted twice.
      Share top = a.userFrames().isEmpty() ? null : a.userFrames().get(0);
      boolean hotspot = top != null && top.ms() >= HOTSPOT_MS && top.pct() >= HOTSPOT_PCT;
      List<Map<String, Object>> includes = new ArrayList<>();
      Map<String, Double> underTop = new LinkedHashMap<>();
      if (hotspot) {
        for (Map.Entry<String, Recogniser.Tally> e : a.libraries().entrySet()) {
          double under = e.getValue().chargedTo(top.frame());
          if (under > 0 && under * 2 >= e.getValue().ms() && under >= Math.max(20, top.ms() * 0.1)) {
            underTop.put(e.getKey(), under);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", e.getKey());
            row.put("ms", round(under));
            includes.add(row);
          }
        }
        includes.sort((x, y) -> Double.compare((Double) y.get("ms"), (Double) x.get("ms")));
        Map<String, Object> ev = evidence(a, ids, initMs);
        ev.put("frame", top.frame());
        ev.put("cpuMs", round(top.ms()));
        ev.put("pctOfInitCpu", round(top.pct()));
        ev.put("initCpuMs", round(cpu));
        ev.put("callers", callersOf(top.frame(), a));
        ev.put("frames", a.userFrames().subList(0, Math.min(5, a.userFrames().size())));
        ev.put("includes", includes);
        String of = "";
        double explained = 0;
        for (Map<String, Object> row : includes) {
          Recogniser r = Recogniser.byId((String) row.get("id"));
          of += (of.isEmpty() ? ", of which " : ", ") + r.title() + String.format(Locale.ROOT, " %.0f ms", (Double) row.get("ms"));
          explained += (Double) row.get("ms");
        }
        String advice = "Make this init work cheaper without moving it to the first request: precompute it at build "
            + "time, ship the result in the deployment package and load it, reduce the work, or snapshot it with "
            + "SnapStart (with priming).";
        if (!includes.isEmpty() && explained * 2 >= top.ms()) {
          advice = Recogniser.byId((String) includes.get(0).get("id")).advice() + " Otherwise: " + advice;
        }
        out.add(new Finding("init-cpu-hotspot", top.ms() >= 500 || top.pct() >= 50 ? Severity.HIGH : Severity.MEDIUM,
            String.format(Locale.ROOT, "%s takes %.0f ms of init CPU (%.0f%%)%s", top.frame(), top.ms(), top.pct(), of), ev,
            advice, "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html", top.ms()));
      }
      // init-off-cpu: init is blocked (I/O, sleep, locks) in the function's own code. Runnable time (CPU-bound work
      // waiting for a CPU under Lambda's quota) is not blocked and never counts here: that is init-cpu-starved.
      double wall = a.wallMs();
      List<InitAnalysis.Waiting> own = new ArrayList<>();
      double ownBlocked = 0;
      for (InitAnalysis.Waiting w : a.waiting()) {
        if (w.ownAndMostlyWaiting()) {
          own.add(w);
          ownBlocked += w.ms();
        }
      }
      if (ownBlocked >= OFF_CPU_MS && wall > 0 && ownBlocked * 100 / wall >= OFF_CPU_PCT) {
        Map<String, Object> ev = evidence(a, ids, initMs);
        InitAnalysis.Waiting w = own.get(0);
        String kind = w.kind() == null ? BlockingFrames.OTHER : w.kind();
        ev.put("frame", w.frame());
        ev.put("waitingIn", w.waitingIn());
        ev.put("kind", kind);
        ev.put("offCpuMs", round(ownBlocked));
        ev.put("blockedMs", round(ownBlocked));
        ev.put("initOffCpuMs", round(a.offCpuMs()));
        ev.put("initWallMs", round(wall));
        ev.put("initCpuMs", round(cpu));
        ev.put("waiting", own.subList(0, Math.min(5, own.size())));
        String in = w.waitingIn() == null || w.waitingIn().equals(w.frame()) ? "" : " (in " + w.waitingIn() + ")";
        out.add(new Finding("init-off-cpu", ownBlocked >= 500 ? Severity.HIGH : Severity.MEDIUM,
            String.format(Locale.ROOT, "init is blocked %.0f ms (%s) in %s%s", ownBlocked, kind, w.frame(), in), ev,
            blockedAdvice(kind, w), blockedReference(kind), ownBlocked));
      }
      // class-loading-heavy
      if (a.classLoadingMs() >= CLASS_LOADING_MS && cpu > 0 && a.classLoadingMs() * 100 / cpu >= CLASS_LOADING_PCT) {
        Map<String, Object> ev = evidence(a, ids, initMs);
        ev.put("classLoadingCpuMs", round(a.classLoadingMs()));
        ev.put("pctOfInitCpu", round(a.classLoadingMs() * 100 / cpu));
        ev.put("topPackages", a.breakdown().packages());
        out.add(finding(Signature.CLASS_LOADING, a.classLoadingMs() >= 2000 ? Severity.HIGH : Severity.MEDIUM,
            String.format(Locale.ROOT, "class loading takes %.0f ms of init CPU (%.0f%%)", a.classLoadingMs(),
                a.classLoadingMs() * 100 / cpu), ev, a.classLoadingMs()));
      }
      // jit-or-gc-in-init
      if (a.jitGcMs() >= JIT_GC_MS && cpu > 0 && a.jitGcMs() * 100 / cpu >= JIT_GC_PCT) {
        Map<String, Object> ev = evidence(a, ids, initMs);
        ev.put("jitGcCpuMs", round(a.jitGcMs()));
        ev.put("pctOfInitCpu", round(a.jitGcMs() * 100 / cpu));
        out.add(new Finding("jit-or-gc-in-init", Severity.MEDIUM,
            String.format(Locale.ROOT, "JIT compiler and GC threads use %.0f ms of init CPU", a.jitGcMs()), ev,
            "Keep -XX:TieredStopAtLevel=1 (the Java 17/21 runtime default; check JAVA_TOOL_OPTIONS for overrides) and give "
                + "the function more memory (more CPU, fewer collections).",
            "https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html", a.jitGcMs()));
      }
      // well-known libraries, each broken down; one nested in the hotspot counts only its time outside it.
      for (Recogniser r : Recogniser.ALL) {
        Recogniser.Tally t = a.libraries().get(r.id());
        double ms = t == null ? 0 : t.ms();
        if (ms >= LIBRARY_MS && cpu > 0 && ms * 100 / cpu >= LIBRARY_PCT) {
          Map<String, Object> ev = evidence(a, ids, initMs);
          ev.put("cpuMs", round(ms));
          ev.put("pctOfInitCpu", round(ms * 100 / cpu));
          putBreakdown(ev, t);
          double impact = ms;
          if (underTop.containsKey(r.id())) {
            ev.put("partOf", "init-cpu-hotspot");
            impact = Math.max(0, ms - underTop.get(r.id()));
          }
          out.add(new Finding(r.id(), ms >= 500 ? Severity.HIGH : Severity.MEDIUM,
              String.format(Locale.ROOT, "%s in init: %.0f ms of init CPU (%.0f%%)%s", r.title(), ms, ms * 100 / cpu,
                  componentsText(t)), ev, r.advice(), r.reference(), impact));
        }
      }
      Finding starved = starved(a, kernel, ids, initMs);
      if (starved != null) out.add(starved);
      capToInit(out, initMs.p50() != null ? initMs.p50() : cpu);
    }
    // cold-invocation-penalty: large in absolute terms, or small but many times a warm invocation. Time the first
    // invocation waited for a CPU that other work on the host took is the measurement's, not the function's.
    double contended = hostContendedMs(first, kernel, penalty);
    if (penalty != null && warmMedian != null && firstInvocation.p50() != null
        && penaltyFires(penalty - contended, firstInvocation.p50() - contended, warmMedian)) {
      double own = penalty - contended;
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("firstInvocationMs", firstInvocation);
      ev.put("warmMedianMs", round(warmMedian));
      ev.put("penaltyMs", penalty);
      double initP50 = initMs.p50() == null ? 0 : initMs.p50();
      double coldRequest = initP50 + firstInvocation.p50();
      ev.put("pctOfColdRequest", coldRequest == 0 ? 0 : round(penalty * 100 / coldRequest));
      ev.put("coldStartSpanIds", ids);
      String named = "";
      String advice = PENALTY_ADVICE;
      if (first != null) {
        ev.put("phase", "first-invocation");
        ev.put("frames", Recogniser.Tally.top(first.framesMs(), "frame", 5));
        ev.put("libraries", Recogniser.Tally.top(first.librariesMs(), "id", 5));
        Map<String, Object> breakdown = new LinkedHashMap<>();
        for (Map.Entry<String, Recogniser.Tally> e : first.libraries().entrySet()) {
          Map<String, Object> lib = new LinkedHashMap<>();
          lib.put("ms", round(e.getValue().ms()));
          putBreakdown(lib, e.getValue());
          breakdown.put(e.getKey(), lib);
        }
        ev.put("libraryBreakdown", breakdown);
        ev.put("cpuMs", round(first.coldCpuMs()));
        ev.put("warmCpuMs", round(first.warmCpuMs()));
        WallSplit w = first.wall();
        if (w.sampledWallMs() > 0) ev.put("wallSplit", firstInvocationWall(w));
        // Libraries are weighed in CPU ms against the penalty's CPU (the cold invocation's beyond a warm one's): a CPU
        // share or a busy host stretches the wall time of them all alike, and throttled time is not even sampled.
        List<String[]> causes = penaltyCauses(first, Math.min(penalty, Math.max(0, first.coldCpuMs() - first.warmCpuMs())));
        if (!causes.isEmpty()) {
          StringBuilder b = new StringBuilder(":");
          for (String[] c : causes) b.append(b.length() > 1 ? "," : "").append(' ').append(c[1]);
          named = b.toString();
        } else if (!first.framesMs().isEmpty()) {
          Map.Entry<String, Double> f = first.framesMs().entrySet().iterator().next();
          named = String.format(Locale.ROOT, ", %.0f ms of it in %s", f.getValue(), f.getKey());
        }
        // A penalty that is mostly time runnable (not on a CPU) is CPU starvation, not work: say so, and who took the
        // CPU, as for init (the kernel's counters are the cold start's).
        String cpuCause = starvationCause(kernel);
        if (starvedPenalty(w, penalty)) {
          ev.put("cpuWaitCause", cpuCause);
          named += String.format(Locale.ROOT, "; %.0f ms of it waiting for a CPU%s", w.runnableMs(), switch (cpuCause) {
            case "cpu-share" -> " (the memory size's CPU share)";
            case "host-contention" -> " that other work on this host took";
            default -> "";
          });
        }
        advice = penaltyAdvice(causes, w, penalty, cpuCause);
      }
      if (contended > 0) ev.put("hostContendedMs", round(contended));
      Severity sev = initP50 > 0 && own > initP50 ? Severity.HIGH
          : coldRequest > 0 && own * 100 / coldRequest >= 20 ? Severity.MEDIUM : Severity.LOW;
      out.add(new Finding("cold-invocation-penalty", sev,
          String.format(Locale.ROOT, "the first invocation is %.0f ms slower than a warm one (%.0fx)%s", penalty,
              warmMedian > 0 ? firstInvocation.p50() / warmMedian : 0, named), ev, advice,
          "https://aws.amazon.com/blogs/compute/optimizing-cold-start-performance-of-aws-lambda-using-advanced-priming-strategies-with-snapstart/",
          own));
    }
    return out;
  }

  private static boolean penaltyFires(double penalty, double firstMs, double warmMedian) {
    return penalty >= PENALTY_MS || (firstMs >= PENALTY_FACTOR * warmMedian && penalty >= PENALTY_MIN_MS);
  }

  /** The first invocation's runnable time when other work on the host took the CPU (the penalty is starved), else 0. */
  private static double hostContendedMs(FirstInvocationCost first, Kernel kernel, Double penalty) {
    if (first == null || penalty == null || penalty <= 0 || !"host-contention".equals(starvationCause(kernel))) return 0;
    WallSplit w = first.wall();
    return starvedPenalty(w, penalty) ? Math.min(penalty, w.runnableMs()) : 0;
  }

  /**
   * A first-invocation penalty that other work on the host made: a note that it is inflated (and, when the function's
   * own penalty is under the thresholds, the reason there is no finding). Null otherwise.
   */
  static String firstInvocationContentionNote(FirstInvocationCost first, Kernel kernel, Double penalty) {
    double contended = hostContendedMs(first, kernel, penalty);
    if (contended <= 0) return null;
    return String.format(Locale.ROOT, "the first invocation waited %.0f ms for a CPU that other work on this host took: its "
        + "measured penalty (%.0f ms) is longer than the function's own; measure on a quiet machine", contended, penalty);
  }

  /** Runnable time of the first invocation's thread that makes its penalty CPU starvation (ms, % of the penalty). */
  static final double PENALTY_RUNNABLE_MS = 100, PENALTY_RUNNABLE_PCT = 25;

  private static boolean starvedPenalty(WallSplit w, double penalty) {
    return w.runnableMs() >= PENALTY_RUNNABLE_MS && w.runnableMs() * 100 / penalty >= PENALTY_RUNNABLE_PCT;
  }

  static final String PENALTY_ADVICE = "Work the first request does and warm ones do not (objects built on first use, "
      + "first-use class loading, JIT warm-up) is paid by a user: do it in init through the same code path (a warm-up "
      + "call), or in a SnapStart beforeCheckpoint hook.";
  /** How to take each library's first-use work out of the first request. */
  static final Map<String, String> PRIME = Map.of(
      "jackson-init", "Create the ObjectMapper (with its modules) once, in a static field set in init, and serialise and "
          + "deserialise a sample of the request and response types there: Jackson builds and caches each type's "
          + "(de)serialisers on first use.",
      "logging-init", "Get the Logger into a static field in init and log one line there: the first getLogger builds the "
          + "logging configuration (file parsing, plugins) and its appenders.",
      "aws-sdk-client-init", "Build the SDK clients in init and prime them with a cheap call there or in a SnapStart "
          + "beforeCheckpoint hook: otherwise the first request builds the marshallers, the connection and TLS.",
      "spring-init", "Send one warm-up request through the container handler in init (or a SnapStart beforeCheckpoint "
          + "hook): the first request sets up the DispatcherServlet, handler mappings and message converters.",
      "tls-init", "Open the connection in init (a cheap call) or in a SnapStart beforeCheckpoint hook: the first TLS "
          + "handshake builds the SSL context and loads the trust store.",
      "di-init", "Resolve the object graph in init (eager singletons, compile-time DI), not on the first request.",
      "runtime-serialization", Recogniser.RUNTIME_SERIALIZATION_ADVICE);

  /**
   * The recognised libraries that explain the penalty, largest first: [id, "title N ms in frame"] for each with at
   * least 10 % of the penalty (20 ms at least), at most 3.
   */
  private static List<String[]> penaltyCauses(FirstInvocationCost first, double penalty) {
    List<String[]> out = new ArrayList<>();
    for (Map.Entry<String, Double> e : first.librariesMs().entrySet()) {
      if (out.size() == 3 || e.getValue() < Math.max(20, penalty * 0.1)) break;
      Recogniser r = Recogniser.byId(e.getKey());
      Recogniser.Tally t = first.libraries().get(e.getKey());
      // The own frames that asked for it: the first, and a second with a quarter of the library's time (a mapper
      // built in one method, its serialisers on first use in another).
      List<Map<String, Object>> from = t == null ? List.of() : Recogniser.Tally.top(t.calledFrom, "frame", 2);
      String in = from.isEmpty() ? "" : " in " + from.get(0).get("frame");
      if (from.size() > 1 && (Double) from.get(1).get("ms") * 4 >= t.ms()) in += " and " + from.get(1).get("frame");
      out.add(new String[] {e.getKey(), String.format(Locale.ROOT, "%s %.0f ms%s", r.title(), e.getValue(), in)});
    }
    return out;
  }

  /**
   * The advice for the libraries that cause the penalty, the general rule, then CPU starvation when it is there: more
   * memory only when the memory size's share took the CPU, never for other work on the host.
   */
  private static String penaltyAdvice(List<String[]> causes, WallSplit w, double penalty, String cpuCause) {
    StringBuilder b = new StringBuilder();
    for (String[] c : causes) {
      String prime = PRIME.get(c[0]);
      if (prime != null) b.append(prime).append(' ');
    }
    b.append(PENALTY_ADVICE);
    if (starvedPenalty(w, penalty)) {
      String wait = String.format(Locale.ROOT, " %.0f ms of the first invocation waits for a CPU (runnable, not running)", w.runnableMs());
      b.append(wait).append(switch (cpuCause) {
        case "cpu-share" -> ": Lambda's CPU share grows with memory, so a larger memory size shortens that part, not the work.";
        case "host-contention" -> " that other work on this host took (no CPU quota was hit): the measured penalty is longer "
            + "than the function's own; measure on a quiet machine.";
        default -> ": the memory size's CPU share or other work on this host; a larger memory size shortens only the former.";
      });
    }
    return b.toString();
  }

  private static Map<String, Object> firstInvocationWall(WallSplit w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("onCpuMs", round(w.onCpuMs()));
    m.put("runnableMs", round(w.runnableMs()));
    m.put("blockedMs", round(w.blockedMs()));
    Map<String, Double> kinds = new LinkedHashMap<>();
    w.blockedByKind().forEach((k, v) -> kinds.put(k, round(v)));
    m.put("blockedByKind", kinds);
    m.put("unclassifiedMs", round(w.unclassifiedMs()));
    m.put("stateLabelled", w.stateLabelled());
    m.put("sampledWallMs", round(w.sampledWallMs()));
    return m;
  }

  private static Finding finding(Signature sig, Severity sev, String title, Map<String, Object> ev, double impact) {
    return new Finding(sig.id(), sev, title, ev, sig.advice(), sig.reference(), impact);
  }

  /** matchedFrames, components, clients, confidence and calledFrom of a recogniser's tally. */
  private static void putBreakdown(Map<String, Object> ev, Recogniser.Tally t) {
    ev.put("matchedFrames", Recogniser.Tally.top(t.frames, "frame", 5));
    ev.put("components", Recogniser.Tally.top(t.components, "name", 10));
    if (!t.clients.isEmpty()) ev.put("clients", Recogniser.Tally.top(t.clients, "name", 10));
    ev.put("confidence", t.confidence());
    ev.put("samples", t.samples());
    ev.put("calledFrom", Recogniser.Tally.top(t.calledFrom, "frame", 3));
  }

  private static String componentsText(Recogniser.Tally t) {
    List<Map<String, Object>> top = Recogniser.Tally.top(t.components, "name", 3);
    if (top.isEmpty() || (top.size() == 1 && Recogniser.OTHER.equals(top.get(0).get("name")))) return "";
    StringBuilder b = new StringBuilder(" (");
    for (Map<String, Object> c : top) {
      if (b.length() > 2) b.append(", ");
      b.append(c.get("name")).append(String.format(Locale.ROOT, " %.0f ms", (Double) c.get("ms")));
    }
    return b.append(')').toString();
  }

  /**
   * The init findings' time at stake never adds up to more than the measured init: CPU of several threads can
   * exceed it, and class loading or JIT overlap the frames. Most important first keeps its impact.
   */
  private static void capToInit(List<Finding> out, double initMsMeasured) {
    if (initMsMeasured <= 0) return;
    List<Finding> sorted = new ArrayList<>(out);
    sorted.sort(Finding.ORDER);
    double left = initMsMeasured;
    for (Finding f : sorted) {
      double capped = Math.max(0, Math.min(f.impactMs(), left));
      left -= capped;
      if (capped != f.impactMs()) {
        out.set(out.indexOf(f), new Finding(f.id(), f.severity(), f.title(), f.evidence(), f.advice(), f.reference(), capped));
      }
    }
  }

  private static Map<String, Object> evidence(InitAnalysis a, List<String> ids, Percentiles initMs) {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("coldStarts", a.breakdown().coldStarts());
    ev.put("coldStartSpanIds", ids);
    ev.put("profileIds", a.profileIds().size() > 20 ? a.profileIds().subList(0, 20) : a.profileIds());
    // How much of init the profile saw: the JVM's start before the agent's engine ran is never in it.
    ev.put("sampledWallMs", round(a.wallSplit().sampledWallMs()));
    ev.put("initDurationMs", initMs == null || initMs.p50() == null ? null : round(initMs.p50()));
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

  /**
   * The span metrics of the cold starts (medians; null when absent): the function's memory size, and the init
   * thread's CPU and run-queue time and the cgroup's throttled time from the kernel (/proc schedstat, cpu.stat).
   */
  record Kernel(Integer memoryMb, Double threadCpuMs, Double runqueueMs, Double throttledMs) {
    static final Kernel NONE = new Kernel(null, null, null, null);
  }

  /** Lambda gives a function 1 vCPU at 1,769 MB, in proportion to memory, up to 6 vCPUs at 10,240 MB. */
  static final double MB_PER_VCPU = 1769, MAX_VCPUS = 6;
  static final double STARVED_MS = 100, STARVED_PCT = 25;
  static final List<Integer> PROJECTED_MB = List.of(512, 1024, 1769, 3008);
  /** Findings of CPU work: init-cpu-starved stretches them, it does not cause them, so it is ordered after them. */
  static final Set<String> CPU_FINDINGS = cpuFindings();

  private static Set<String> cpuFindings() {
    Set<String> ids = new HashSet<>(List.of("init-cpu-hotspot", Signature.CLASS_LOADING.id(), "jit-or-gc-in-init"));
    for (Recogniser r : Recogniser.ALL) ids.add(r.id());
    return ids;
  }

  static double vcpuShare(double memoryMb) { return Math.min(memoryMb / MB_PER_VCPU, MAX_VCPUS); }

  /**
   * Projected init wall at {@code memoryMb}, from the profile alone: the blocked time stays, the CPU work is done
   * at the CPU share the memory buys. The init thread cannot go faster than its own CPU; all threads' init CPU
   * (JIT, GC, helpers) shares {@code min(share, cores)} CPUs, where cores = max(1, ceil(share)) is the number of
   * vCPUs Lambda schedules the function on. Runnable and unclassified time are what the model replaces.
   */
  static double projectedInitMs(double memoryMb, double blockedMs, double initThreadCpuMs, double allThreadsCpuMs) {
    double share = vcpuShare(memoryMb);
    double cores = Math.max(1, Math.ceil(share));
    return blockedMs + Math.max(initThreadCpuMs, allThreadsCpuMs / Math.min(share, cores));
  }

  /** The init thread's time waiting for a CPU (runnable, not running) when it stretched init, else null. */
  private static Double starvedMs(InitAnalysis a, Kernel kernel) {
    WallSplit w = a.wallSplit();
    double wall = w.wallMs();
    double runnable = w.runnableMs();
    // The kernel's run-queue time of the init thread, when the agent sent it, is the direct measure.
    if (kernel.runqueueMs() != null) runnable = Math.max(runnable, kernel.runqueueMs());
    return runnable < STARVED_MS || wall <= 0 || runnable * 100 / wall < STARVED_PCT ? null : runnable;
  }

  /**
   * Who took the CPU: the memory size's share (a cgroup quota) when the kernel counted throttling, or, when it could
   * not tell (no cgroup counters), when the share is under one vCPU; else other work on the same host, which more
   * memory does not cure. Throttling counters that read 0 rule the quota out.
   */
  static String starvationCause(Kernel kernel) {
    if (kernel.throttledMs() != null) return kernel.throttledMs() > 0 ? "cpu-share" : "host-contention";
    if (kernel.memoryMb() != null) return vcpuShare(kernel.memoryMb()) < 1 ? "cpu-share" : "host-contention";
    return "unknown";
  }

  /**
   * Init stretched by other work on the host is a condition of the measurement, not of the function: a note that
   * says the measured init is inflated, never a finding whose advice (more memory) would be wrong. Null otherwise.
   */
  static String hostContentionNote(InitAnalysis a, Kernel kernel) {
    if (a == null || !"host-contention".equals(starvationCause(kernel))) return null;
    Double runnable = starvedMs(a, kernel);
    if (runnable == null) return null;
    return String.format(Locale.ROOT, "init waited %.0f ms for a CPU that other work on this host took (no CPU quota was "
        + "hit): the measured init is longer than the function's own; measure on a quiet machine", runnable);
  }

  /** init-cpu-starved: CPU-bound init stretched by its CPU share, null when it is not (or the host was busy). */
  private static Finding starved(InitAnalysis a, Kernel kernel, List<String> ids, Percentiles initMs) {
    Double starvedMs = starvedMs(a, kernel);
    String cause = starvationCause(kernel);
    if (starvedMs == null || cause.equals("host-contention")) return null;
    WallSplit w = a.wallSplit();
    double wall = w.wallMs();
    double runnable = starvedMs;
    Map<String, Object> ev = evidence(a, ids, initMs);
    ev.put("memoryMb", kernel.memoryMb());
    ev.put("vcpuShare", kernel.memoryMb() == null ? null : Math.round(vcpuShare(kernel.memoryMb()) * 1000) / 1000.0);
    ev.put("initCpuMs", round(a.cpuMs()));
    ev.put("initThreadCpuMs", round(w.onCpuMs()));
    ev.put("initWallMs", round(wall));
    ev.put("runnableMs", round(w.runnableMs()));
    ev.put("blockedMs", round(w.blockedMs()));
    ev.put("threadCpuMs", kernel.threadCpuMs());
    ev.put("threadRunqueueMs", kernel.runqueueMs());
    ev.put("cgroupThrottledMs", kernel.throttledMs());
    Map<String, Double> projection = new LinkedHashMap<>();
    List<Integer> sizes = new ArrayList<>(PROJECTED_MB);
    if (kernel.memoryMb() != null && !sizes.contains(kernel.memoryMb())) sizes.add(kernel.memoryMb());
    sizes.sort(null);
    // The init thread's CPU counted by the kernel covers the JVM's start before the profiler ran; the profile alone
    // misses it, and at a small CPU share that head is seconds of init (docs/diagnose.md, "Projection").
    double unprofiledCpu = kernel.threadCpuMs() == null ? 0 : Math.max(0, kernel.threadCpuMs() - w.onCpuMs());
    double blocked = w.blockedMs(), threadCpu = w.onCpuMs() + unprofiledCpu, allCpu = a.cpuMs() + unprofiledCpu;
    // Two bounds: the CPU work stays what the profile holds at every size (the model), or the stretch measured here
    // beyond the model (the JVM's and the profiler's work that grows with wall time at a small share) scales with it.
    Double measured = initMs == null ? null : initMs.p50();
    double model = kernel.memoryMb() == null ? 0 : projectedInitMs(kernel.memoryMb(), blocked, threadCpu, allCpu) - blocked;
    double stretch = measured == null || model <= 0 ? 1 : Math.max(0, measured - blocked) / model;
    Map<String, List<Double>> range = new LinkedHashMap<>();
    for (int mb : sizes) {
      double cpuPart = projectedInitMs(mb, blocked, threadCpu, allCpu) - blocked;
      projection.put(Integer.toString(mb), round(blocked + cpuPart));
      range.put(Integer.toString(mb), List.of(round(blocked + cpuPart * Math.min(1, stretch)), round(blocked + cpuPart * Math.max(1, stretch))));
    }
    ev.put("unprofiledCpuMs", round(unprofiledCpu));
    ev.put("measuredStretch", Math.round(stretch * 1000) / 1000.0);
    ev.put("projectionRangeMs", range);
    ev.put("projectionMs", projection);
    String at = kernel.memoryMb() == null ? "" : String.format(Locale.ROOT, " at %d MB (%.2f vCPU)", kernel.memoryMb(),
        vcpuShare(kernel.memoryMb()));
    ev.put("cause", cause);
    String why = cause.equals("cpu-share") ? " (the memory size's CPU share)" : "";
    return new Finding("init-cpu-starved", Severity.MEDIUM,
        String.format(Locale.ROOT, "CPU-bound init waits %.0f ms for a CPU%s%s: %.0f ms CPU took %.0f ms wall", runnable, at, why,
            w.onCpuMs(), wall), ev,
        String.format(Locale.ROOT, "Init is busy, not blocked: Lambda's CPU share grows with memory, so more memory shortens "
            + "it (projected init: %s). Better, reduce the CPU work itself (the CPU findings of this function), or "
            + "snapshot it with SnapStart.", projectionText(range)),
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html", runnable);
  }

  private static String projectionText(Map<String, List<Double>> range) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, List<Double>> e : range.entrySet()) {
      if (b.length() > 0) b.append(", ");
      double lo = e.getValue().get(0), hi = e.getValue().get(1);
      if (Math.round(lo) == Math.round(hi)) b.append(String.format(Locale.ROOT, "%,.0f ms at %s MB", lo, e.getKey()));
      else b.append(String.format(Locale.ROOT, "%,.0f-%,.0f ms at %s MB", lo, hi, e.getKey()));
    }
    return b.toString();
  }

  /** Sorts findings most important first, then moves init-cpu-starved after every CPU and blocking finding of init. */
  static void order(List<Finding> findings) {
    findings.sort(Finding.ORDER);
    int starved = -1, lastCpu = -1;
    for (int i = 0; i < findings.size(); i++) {
      String id = findings.get(i).id();
      // Starvation stretches the function's own init work; it never outranks the causes in the code (its CPU work,
      // or what init blocks on), so a function keeps its top finding at every memory size.
      if (id.equals("init-cpu-starved")) starved = i;
      else if (CPU_FINDINGS.contains(id) || id.equals("init-off-cpu")) lastCpu = i;
    }
    if (starved >= 0 && lastCpu > starved) findings.add(lastCpu, findings.remove(starved));
  }

  private static String blockedAdvice(String kind, InitAnalysis.Waiting w) {
    return switch (kind) {
      case BlockingFrames.NETWORK -> "Init waits on the network: create clients and connections once and reuse them, "
          + "make independent calls in parallel, and fetch secrets/parameters through the AWS Parameters and Secrets "
          + "Lambda extension (cached) or lazily on first use.";
      case BlockingFrames.FILE_IO -> "Init waits on file reads: read less at start (lazily, or only what the first "
          + "request needs) and keep the files in the deployment package small.";
      case BlockingFrames.SLEEP -> "Init sleeps: remove the sleep / retry backoff from init (retry on first use instead).";
      case BlockingFrames.LOCK, BlockingFrames.CLASS_LOADING_LOCK -> "Init waits in " + w.frame() + " for "
          + (kind.equals(BlockingFrames.LOCK) ? "a lock" : "a class-loading lock") + (w.waitingIn() == null ? "" : " ("
          + w.waitingIn() + ")") + " that another thread held: avoid contended initialisation (initialise shared state "
          + "on one thread, do not load the same classes from background threads at start).";
      case BlockingFrames.THREAD_WAIT -> "Init waits for another thread (" + (w.waitingIn() == null ? "join/get/await"
          : w.waitingIn()) + "): the awaited work is on that thread, look at what it does (its own frames in the profile).";
      default -> "Init is blocked, not busy: look at what " + w.frame() + " waits for.";
    };
  }

  private static String blockedReference(String kind) {
    return kind.equals(BlockingFrames.NETWORK)
        ? "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html"
        : "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html";
  }

  static double round(double v) { return Math.round(v * 10) / 10.0; }
}
