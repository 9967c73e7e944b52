package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.stats.Percentiles;
import dev.ddsls.analysis.trace.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a function's {@link ColdStartReport}: counts and percentiles from its invocation spans (the agent's
 * {@code ddsls.init.*} metrics on cold spans), or, for functions without spans, from Lambda's platform reports;
 * init-phase analysis from its profiles; then the findings.
 */
public final class ColdStartAnalyzer {
  static final int LIMIT = 10;

  private ColdStartAnalyzer() {}

  public static ColdStartReport analyze(String function, String service, List<Span> invocations, List<PlatformReport> reports,
                                        List<ProfileInput> profiles) {
    return analyze(function, service, invocations, reports, profiles, null);
  }

  /**
   * @param handler the function's handler ({@code pkg.Class::method}), or null: its package is the function's own
   *     code; without it, a cold span's {@code handler} tag is used, else any code outside known libraries counts
   */
  public static ColdStartReport analyze(String function, String service, List<Span> invocations, List<PlatformReport> reports,
                                        List<ProfileInput> profiles, String handler) {
    return analyze(function, service, invocations, reports, profiles, handler, null);
  }

  /**
   * @param ownCode the function's own code read from its deployment package ({@link OwnCode#ofDeployment}), or null:
   *     then the handler's package stands in
   */
  public static ColdStartReport analyze(String function, String service, List<Span> invocations, List<PlatformReport> reports,
                                        List<ProfileInput> profiles, String handler, OwnCode ownCode) {
    List<String> notes = new ArrayList<>();
    List<String> coldIds = new ArrayList<>();
    Map<String, Integer> byType = new TreeMap<>();
    Map<String, Integer> byMemory = new TreeMap<>();
    List<Double> init = new ArrayList<>();
    Map<String, List<Double>> phases = new LinkedHashMap<>();
    for (String p : List.of("jvm", "agent", "runtimeInit", "firstInvocation")) phases.put(p, new ArrayList<>());
    List<Double> warm = new ArrayList<>();
    List<Double> memory = new ArrayList<>(), threadCpu = new ArrayList<>(), runqueue = new ArrayList<>(), throttled = new ArrayList<>();
    int count;
    int cold = 0;
    // Lambda's platform records say which cold starts were restores (their request ids), even beside spans.
    SnapStartReport platformSnapStart = SnapStartReport.ofPlatform(reports, 0);
    // A HashSet: an immutable Set refuses contains(null), and a span may carry no request id.
    Set<String> restored = platformSnapStart == null ? new HashSet<>() : new HashSet<>(platformSnapStart.restoredRequestIds());
    List<Span> coldSpans = new ArrayList<>();
    if (!invocations.isEmpty()) {
      count = invocations.size();
      for (Span s : invocations) {
        if (!s.coldStart()) {
          warm.add(s.durationMs());
          continue;
        }
        cold++;
        coldIds.add(s.id());
        coldSpans.add(s);
        if (handler == null) handler = handlerTag(s);
        byType.merge(restored.contains(s.meta("request_id")) ? SnapStartReport.SNAP_START : initType(s), 1, Integer::sum);
        Integer mb = memoryMb(s);
        byMemory.merge(mb == null ? "unknown" : mb.toString(), 1, Integer::sum);
        if (mb != null) memory.add((double) mb);
        add(threadCpu, s.metric("ddsls.init.thread_cpu_ms"));
        add(runqueue, s.metric("ddsls.init.thread_runqueue_ms"));
        add(throttled, s.metric("ddsls.init.cgroup_throttled_ms"));
        add(init, s.metric("ddsls.init.duration_ms"));
        add(phases.get("jvm"), s.metric("ddsls.init.jvm_ms"));
        add(phases.get("agent"), s.metric("ddsls.init.agent_ms"));
        add(phases.get("runtimeInit"), s.metric("ddsls.init.runtime_init_ms"));
        phases.get("firstInvocation").add(s.durationMs());
      }
    } else {
      List<PlatformReport> invocationReports = new ArrayList<>();
      List<PlatformReport> initReports = new ArrayList<>();
      for (PlatformReport r : reports) (r.invocation() ? invocationReports : initReports).add(r);
      count = invocationReports.size();
      boolean coldFromInvocations = invocationReports.stream().anyMatch(PlatformReport::coldStart);
      for (PlatformReport r : coldFromInvocations ? invocationReports : initReports) {
        if (!r.coldStart()) continue;
        // A snapshot's init (paid when the version is published) and a restore report are no cold start of their own:
        // the restore's first invocation is.
        if (!r.invocation() && (SnapStartReport.SNAP_START.equals(r.initType()) || r.restoreDurationMs() != null)) continue;
        cold++;
        if (r.requestId() != null) coldIds.add(r.requestId());
        byType.merge(r.initType() == null ? "on-demand" : r.initType(), 1, Integer::sum);
        byMemory.merge(r.memoryMb() == null ? "unknown" : r.memoryMb().toString(), 1, Integer::sum);
        if (r.memoryMb() != null) memory.add(r.memoryMb().doubleValue());
        // A restore is not an init: it is reported apart (SnapStartReport.restoreMs).
        add(init, r.initDurationMs());
      }
      for (PlatformReport r : invocationReports) {
        if (r.durationMs() == null) continue;
        (r.coldStart() ? phases.get("firstInvocation") : warm).add(r.durationMs());
      }
      if (!reports.isEmpty()) notes.add("counts and init durations from Lambda's platform reports (no invocation spans)");
    }
    int onDemand = byType.getOrDefault("on-demand", 0);
    SnapStartReport snapStart = platformSnapStart != null
        ? new SnapStartReport(platformSnapStart.snapStartColdStarts(), onDemand, platformSnapStart.restoreMs(),
            platformSnapStart.firstInvocationAfterRestoreMs(), platformSnapStart.restoreErrors(), platformSnapStart.snapshotInitMs(),
            platformSnapStart.restoredRequestIds(), platformSnapStart.source())
        : SnapStartReport.ofSpans(coldSpans, onDemand);
    if (snapStart != null && !invocations.isEmpty() && byType.getOrDefault(SnapStartReport.SNAP_START, 0) > 0) {
      notes.add("the init duration of a snap-start cold start is its snapshot's init, paid when the version was published;"
          + " its caller waited for the restore (restoreMs) and the first invocation after it");
    }
    if (init.isEmpty() && !phases.get("jvm").isEmpty()) {
      for (int i = 0; i < phases.get("jvm").size() && i < phases.get("runtimeInit").size(); i++) {
        init.add(phases.get("jvm").get(i) + phases.get("agent").get(Math.min(i, phases.get("agent").size() - 1))
            + phases.get("runtimeInit").get(i));
      }
    }
    Map<String, Percentiles> phaseStats = new LinkedHashMap<>();
    for (Map.Entry<String, List<Double>> e : phases.entrySet()) phaseStats.put(e.getKey(), Percentiles.of(e.getValue()).rounded(1));
    Double warmMedian = Percentiles.of(warm).p50();
    Double firstMedian = phaseStats.get("firstInvocation").p50();
    Double penalty = warmMedian == null || firstMedian == null ? null : round(firstMedian - warmMedian);

    if (ownCode == null) ownCode = OwnCode.ofHandler(handler);
    if (ownCode.known()) notes.add("own code: " + ownCode.describe());
    InitAnalysis initAnalysis = null;
    if (!profiles.isEmpty()) {
      InitAnalysis a = InitAnalysis.of(profiles, LIMIT, ownCode);
      if (a.breakdown().cpuSamples() > 0 || a.wallMs() > 0) initAnalysis = a;
      else notes.add("profiles hold no init-phase samples (label phase=init)");
    } else {
      notes.add("no profiles: init is measured but not explained");
    }
    Percentiles initStats = Percentiles.of(init).rounded(1);
    Double memoryMb = Percentiles.of(memory).p50();
    InitFindings.Kernel kernel = new InitFindings.Kernel(memoryMb == null ? null : (int) Math.round(memoryMb),
        Percentiles.of(threadCpu).p50(), Percentiles.of(runqueue).p50(), Percentiles.of(throttled).p50());
    FirstInvocationCost first = profiles.isEmpty() ? null : FirstInvocationCost.of(profiles, coldIds, ownCode);
    List<Finding> findings = InitFindings.of(initStats, phaseStats.get("firstInvocation"), warmMedian, penalty, initAnalysis, coldIds,
        kernel, first);
    InitFindings.order(findings);
    String contention = InitFindings.hostContentionNote(initAnalysis, kernel);
    if (contention != null) notes.add(contention);
    String firstContention = InitFindings.firstInvocationContentionNote(first, kernel, penalty);
    if (firstContention != null) notes.add(firstContention);
    return new ColdStartReport(function, service, count, cold, count == 0 ? 0 : round4((double) cold / count), byType, byMemory,
        initStats, phaseStats, warmMedian == null ? null : round(warmMedian), penalty, initAnalysis, findings, coldIds, notes,
        List.copyOf(init), FlameSamples.of(initAnalysis, profiles), snapStart);
  }

  /** The handler a function's cold spans name ({@code handler} tag), or null. */
  public static String handlerOf(List<Span> invocations) {
    for (Span s : invocations) {
      if (!s.coldStart()) continue;
      String h = handlerTag(s);
      if (h != null) return h;
    }
    return null;
  }

  private static String handlerTag(Span s) {
    for (String k : List.of("handler", "function.handler", "aws.lambda.handler", "_handler")) {
      String v = s.meta(k);
      if (v != null && !v.isBlank()) return v;
    }
    return null;
  }

  private static String initType(Span s) {
    String t = s.meta("init_type");
    if (t != null) return t;
    if (s.metric("ddsls.init.restore_ms") != null || "true".equals(s.meta("snapstart"))) return "snap-start";
    return "on-demand";
  }

  /**
   * The function's memory size in MB: Datadog's {@code memorysize} tag, a string in span meta ("1024", sometimes
   * "1024.0") or a number when the span came from the search API's attributes (then it is a metric).
   */
  static Integer memoryMb(Span s) {
    String text = s.meta("memorysize");
    if (text == null) text = s.meta("memory_size");
    if (text != null) {
      try {
        return (int) Math.round(Double.parseDouble(text.trim()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    Double m = s.metric("memorysize");
    if (m == null) m = s.metric("memory_size");
    return m == null || m.isNaN() ? null : (int) Math.round(m);
  }

  private static void add(List<Double> list, Double v) { if (v != null && !v.isNaN()) list.add(v); }

  static double round(double v) { return Math.round(v * 10) / 10.0; }

  private static double round4(double v) { return Math.round(v * 10000) / 10000.0; }
}
