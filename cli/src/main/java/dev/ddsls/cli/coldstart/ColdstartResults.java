package dev.ddsls.cli.coldstart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.stats.Percentiles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The results of all runs and their summary, as the {@code ddsls.coldstart/v1} document of DESIGN.md. Summaries:
 * {@code initMs} over the runs whose init finished; {@code firstInvocationMs} over each run's first answered
 * invocation; {@code warmInvocationMs} over all later ones (an invocation that answered with an error counts: it
 * was measured; one that timed out does not). The billed Duration and its post-runtime part are summarised the same
 * way ({@code firstDurationMs}, {@code warmDurationMs}, {@code firstPostRuntimeMs}, {@code warmPostRuntimeMs}),
 * over the invocations whose Duration was measured, to the microsecond. How the function was started is said once:
 * {@code initializationType} ({@code on-demand} or {@code snap-start}), {@code taskRoot} (the unpacked package, relative
 * to the results file) and {@code packageLayout} ({@code jar}: classes at the root; {@code zip-lib}: and {@code lib/*.jar};
 * {@code class-path}: the diagnostic start with the package on the class path, no task root). Under SnapStart each run
 * has {@code restoreMs} and the summary {@code restoreMs} and {@code firstInvocationAfterRestoreMs}.
 */
final class ColdstartResults {
  static final String SCHEMA = "ddsls.coldstart/v1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  final String handler;
  final boolean agent;
  final String jar;
  final int memoryMb;
  final List<RunResult> runs;
  /** A/B pairing, or null for a plain measurement. */
  final Pairing pairing;
  /** The CPU limit as applied, or null when none was asked for. */
  final CpuLimit cpuLimit;
  /** How the function was started: initialization type, task root and package layout. */
  Start start = new Start("on-demand", null, null);

  /** How the runs started the function (see the class comment); {@code taskRoot} null without one. */
  record Start(String initializationType, String taskRoot, String packageLayout) {
    boolean snapStart() { return RuntimeLaunch.SNAP_START.equals(initializationType); }
  }

  /**
   * How this side of an A/B comparison was measured: its role (candidate or baseline), the order ("alternate": A B A
   * B in one job; "reference": the baseline is an existing results file), the other side's results file, the
   * warm-up runs discarded before measuring, and each run's position in the job (null for a reference).
   */
  record Pairing(String role, String order, String pairedWith, int warmupRuns, List<Integer> sequence) {}

  ColdstartResults(String handler, boolean agent, String jar, int memoryMb, List<RunResult> runs) {
    this(handler, agent, jar, memoryMb, runs, null, null);
  }

  ColdstartResults(String handler, boolean agent, String jar, int memoryMb, List<RunResult> runs, Pairing pairing,
                   CpuLimit cpuLimit) {
    this.handler = handler;
    this.agent = agent;
    this.jar = jar;
    this.memoryMb = memoryMb;
    this.runs = runs;
    this.pairing = pairing;
    this.cpuLimit = cpuLimit;
  }

  boolean allOk() {
    for (RunResult r : runs) {
      if (!r.ok()) return false;
    }
    return true;
  }

  Percentiles initMs() {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      if (r.initMs() != null) v.add(r.initMs());
    }
    return Percentiles.of(v).rounded(1);
  }

  Percentiles firstInvocationMs() {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      if (!r.invocationsMs().isEmpty()) v.add(r.invocationsMs().get(0));
    }
    return Percentiles.of(v).rounded(1);
  }

  Percentiles warmInvocationMs() {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      if (r.invocationsMs().size() > 1) v.addAll(r.invocationsMs().subList(1, r.invocationsMs().size()));
    }
    return Percentiles.of(v).rounded(1);
  }

  /** SnapStart: each run's restore, from the answer to /restore/next to the first /next. */
  Percentiles restoreMs() {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      if (r.restoreMs() != null) v.add(r.restoreMs());
    }
    return Percentiles.of(v).rounded(3);
  }

  Percentiles firstDurationMs() { return first(RunResult::durationsMs); }

  Percentiles warmDurationMs() { return warm(RunResult::durationsMs); }

  Percentiles firstPostRuntimeMs() { return first(RunResult::postRuntimeMs); }

  Percentiles warmPostRuntimeMs() { return warm(RunResult::postRuntimeMs); }

  /** Each run's first value of a per-invocation list, nulls (not measured) left out; to the microsecond. */
  private Percentiles first(Function<RunResult, List<Double>> perInvocation) {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      List<Double> l = perInvocation.apply(r);
      if (!l.isEmpty() && l.get(0) != null) v.add(l.get(0));
    }
    return Percentiles.of(v).rounded(3);
  }

  /** Every run's later values of a per-invocation list, pooled, nulls left out; to the microsecond. */
  private Percentiles warm(Function<RunResult, List<Double>> perInvocation) {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      List<Double> l = perInvocation.apply(r);
      for (int i = 1; i < l.size(); i++) {
        if (l.get(i) != null) v.add(l.get(i));
      }
    }
    return Percentiles.of(v).rounded(3);
  }

  RuntimeApiEmulator.Uploads uploads() {
    int traces = 0;
    int profiles = 0;
    long bytes = 0;
    for (RunResult r : runs) {
      traces += r.uploads().traces();
      profiles += r.uploads().profiles();
      bytes += r.uploads().bytes();
    }
    return new RuntimeApiEmulator.Uploads(traces, profiles, bytes);
  }

  ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("handler", handler);
    root.put("agent", agent);
    root.put("jar", jar);
    root.put("memoryMb", memoryMb);
    root.put("initializationType", start.initializationType());
    root.put("taskRoot", start.taskRoot());
    root.put("packageLayout", start.packageLayout());
    root.set("cpuLimit", cpuLimitJson());
    root.set("ab", pairingJson());
    ArrayNode arr = root.putArray("runs");
    for (int i = 0; i < runs.size(); i++) {
      RunResult r = runs.get(i);
      ObjectNode o = arr.addObject();
      o.put("run", r.run());
      if (pairing != null && pairing.sequence() != null) o.put("sequence", pairing.sequence().get(i));
      o.put("status", r.status().label);
      o.put("error", r.error());
      o.put("initMs", r.initMs());
      if (start.snapStart()) o.put("restoreMs", r.restoreMs());
      if (r.phasesMs() == null) {
        o.putNull("phasesMs");
      } else {
        ObjectNode ph = o.putObject("phasesMs");
        ph.put("jvm", r.phasesMs().jvm());
        ph.put("agent", r.phasesMs().agent());
        ph.put("runtimeInit", r.phasesMs().runtimeInit());
      }
      ArrayNode inv = o.putArray("invocationsMs");
      for (double ms : r.invocationsMs()) inv.add(ms);
      ArrayNode duration = o.putArray("durationMs");
      for (Double ms : r.durationsMs()) duration.add(ms);
      ArrayNode postRuntime = o.putArray("postRuntimeMs");
      for (Double ms : r.postRuntimeMs()) postRuntime.add(ms);
      ArrayNode files = o.putArray("files");
      for (String f : r.files()) files.add(f);
      o.set("uploads", uploadsJson(r.uploads()));
    }
    ObjectNode summary = root.putObject("summary");
    summary.set("initMs", JSON.valueToTree(initMs()));
    summary.set("firstInvocationMs", JSON.valueToTree(firstInvocationMs()));
    summary.set("warmInvocationMs", JSON.valueToTree(warmInvocationMs()));
    if (start.snapStart()) {
      summary.set("restoreMs", JSON.valueToTree(restoreMs()));
      // Under SnapStart every run's first invocation is the first after its restore.
      summary.set("firstInvocationAfterRestoreMs", JSON.valueToTree(firstInvocationMs()));
    }
    summary.set("firstDurationMs", JSON.valueToTree(firstDurationMs()));
    summary.set("warmDurationMs", JSON.valueToTree(warmDurationMs()));
    summary.set("firstPostRuntimeMs", JSON.valueToTree(firstPostRuntimeMs()));
    summary.set("warmPostRuntimeMs", JSON.valueToTree(warmPostRuntimeMs()));
    root.set("uploads", uploadsJson(uploads()));
    return root;
  }

  String toJsonString() {
    try {
      return JSON.writeValueAsString(toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode cpuLimitJson() {
    if (cpuLimit == null) return null;
    ObjectNode o = JSON.createObjectNode();
    o.put("vcpus", Math.round(cpuLimit.vcpus * 1000) / 1000.0);
    o.put("activeProcessorCount", cpuLimit.processors);
    ArrayNode applied = o.putArray("applied");
    for (String a : cpuLimit.applied) applied.add(a);
    ArrayNode notApplied = o.putArray("notApplied");
    for (String a : cpuLimit.notApplied) notApplied.add(a);
    return o;
  }

  private ObjectNode pairingJson() {
    if (pairing == null) return null;
    ObjectNode o = JSON.createObjectNode();
    o.put("role", pairing.role());
    o.put("order", pairing.order());
    o.put("pairedWith", pairing.pairedWith());
    o.put("warmupRuns", pairing.warmupRuns());
    return o;
  }

  private static ObjectNode uploadsJson(RuntimeApiEmulator.Uploads u) {
    ObjectNode o = JSON.createObjectNode();
    o.put("traces", u.traces());
    o.put("profiles", u.profiles());
    o.put("bytes", u.bytes());
    return o;
  }
}
