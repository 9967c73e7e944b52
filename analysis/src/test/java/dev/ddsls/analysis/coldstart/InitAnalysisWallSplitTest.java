package dev.ddsls.analysis.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.analysis.report.JsonReport;
import dev.ddsls.analysis.report.TextReport;
import dev.ddsls.analysis.trace.Span;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Init wall time split by the wall samples' {@code thread state}: CPU-bound init that waits for a CPU (Lambda's
 * quota at low memory) is runnable, not waiting, and gets init-cpu-starved; only blocked time is init-off-cpu.
 */
class InitAnalysisWallSplitTest {
  static final long MS = 1_000_000;
  static final long INIT_THREAD = 1, JIT_THREAD = 2;
  static final List<String> RULES = List.of("example.Rules.build", "example.RulesHandler.<clinit>", "java.lang.Class.forName0",
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main");
  static final List<String> RUNTIME = List.of("com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main");
  static final List<String> SOCKET_READ = List.of("sun.nio.ch.Net.poll", "sun.nio.ch.NioSocketImpl.park",
      "sun.nio.ch.NioSocketImpl.timedRead", "sun.nio.ch.NioSocketImpl.read", "java.net.Socket$SocketInputStream.read",
      "example.Config.fetch", "example.Handler.<clinit>", "com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main");
  static final List<String> SLEEP = List.of("java.lang.Thread.sleep0", "java.lang.Thread.sleep", "example.Secrets.fetch",
      "example.Handler.<clinit>");
  static final List<String> LOCK = List.of("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park",
      "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire", "java.util.concurrent.locks.ReentrantLock$Sync.lock",
      "java.util.concurrent.locks.ReentrantLock.lock", "example.Registry.register", "example.Handler.<clinit>");

  /** A CPU-bound init: 300 ms in the function's own Rules.build, 500 ms runtime, 200 ms JIT; {@code wallMs} running. */
  static List<ProfileInput> cpuBound(double wallMs, String state) {
    List<ProfileSample> cpu = List.of(cpu(RULES, 300, INIT_THREAD), cpu(RUNTIME, 500, INIT_THREAD),
        cpu(List.of("C2Compiler::compile_method"), 200, JIT_THREAD, "C1 CompilerThread0"));
    List<ProfileSample> wall = List.of(wall(RULES, wallMs * 0.375, INIT_THREAD, state),
        wall(RUNTIME, wallMs * 0.625, INIT_THREAD, state));
    return List.of(new ProfileInput("cpu-1", profile("cpu", cpu)), new ProfileInput("wall-1", profile("wall", wall)));
  }

  @Test
  void cpuBoundInitAtALowShareIsStarvedNotWaiting() {
    ColdStartReport r = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of(
        "ddsls.init.thread_runqueue_ms", 1150.0, "ddsls.init.cgroup_throttled_ms", 1100.0))), List.of(), cpuBound(2000, "running"));
    WallSplit w = r.init().wallSplit();
    assertEquals(800, w.onCpuMs(), 1e-9);
    assertEquals(1200, w.runnableMs(), 1e-9);
    assertEquals(0, w.blockedMs(), 1e-9);
    assertEquals(2000, w.sampledWallMs(), 1e-9);
    assertTrue(r.init().waiting().isEmpty(), "running time is not waiting: " + r.init().waiting());
    assertNull(find(r, "init-off-cpu"), r.findings().toString());

    Finding starved = find(r, "init-cpu-starved");
    assertNotNull(starved, r.findings().toString());
    assertEquals(Finding.Severity.MEDIUM, starved.severity());
    // The hotspot (MEDIUM, 300 ms) has less impact than the 1,200 ms runnable, yet stays first: starving stretches it.
    assertEquals("init-cpu-hotspot", r.findings().get(0).id(), r.findings().toString());
    assertTrue(r.findings().indexOf(starved) > 0);
    Map<String, Object> ev = starved.evidence();
    assertEquals(512, ev.get("memoryMb"));
    assertEquals(0.289, (double) ev.get("vcpuShare"), 1e-9);
    assertEquals(1000.0, ev.get("initCpuMs"));
    assertEquals(1200.0, ev.get("runnableMs"));
    assertEquals(1150.0, ev.get("threadRunqueueMs"));
    assertEquals(1100.0, ev.get("cgroupThrottledMs"));
    assertEquals(2000.0, ev.get("sampledWallMs"));
    assertEquals(2100.0, ev.get("initDurationMs"));
    @SuppressWarnings("unchecked") Map<String, Double> projection = (Map<String, Double>) ev.get("projectionMs");
    // blocked 0 + max(init thread CPU 800, all threads' CPU 1000 / share)
    assertEquals(List.of("512", "1024", "1769", "3008"), new ArrayList<>(projection.keySet()));
    assertEquals(3455.1, projection.get("512"), 1e-9); // 1000 / (512/1769)
    assertEquals(1727.5, projection.get("1024"), 1e-9); // 1000 / (1024/1769)
    assertEquals(1000.0, projection.get("1769"), 1e-9);
    assertEquals(800.0, projection.get("3008"), 1e-9); // 1000 / 1.70 = 588, but the init thread's own 800 ms stays
    // Measured 2,100 ms where the model says 3,455: the other bound scales the CPU part by that stretch (0.608).
    assertEquals(0.608, ev.get("measuredStretch"));
    @SuppressWarnings("unchecked") Map<String, List<Double>> range = (Map<String, List<Double>>) ev.get("projectionRangeMs");
    assertEquals(List.of(2100.0, 3455.1), range.get("512"));
    assertEquals(List.of(607.8, 1000.0), range.get("1769"));
    assertTrue(starved.advice().contains("2,100-3,455 ms at 512 MB"), starved.advice());
  }

  @Test
  void aBusyHostIsANoteNotAFindingWhoseAdviceWouldBeMoreMemory() {
    // The same starved init, but the kernel counted no throttling: the CPU went to other work on the host.
    ColdStartReport r = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of(
        "ddsls.init.thread_runqueue_ms", 1150.0, "ddsls.init.cgroup_throttled_ms", 0.0))), List.of(), cpuBound(2000, "running"));
    assertNull(find(r, "init-cpu-starved"), r.findings().toString());
    assertNull(find(r, "init-off-cpu"), r.findings().toString());
    assertEquals("init-cpu-hotspot", r.findings().get(0).id(), r.findings().toString());
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("init waited 1200 ms for a CPU that other work on this host took")),
        r.notes().toString());
    // Without throttling counters, a share under one vCPU is taken for the quota.
    ColdStartReport unknown = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of(
        "ddsls.init.thread_runqueue_ms", 1150.0))), List.of(), cpuBound(2000, "running"));
    assertEquals("cpu-share", find(unknown, "init-cpu-starved").evidence().get("cause"));
  }

  @Test
  void theProjectionAddsTheInitThreadsCpuBeforeTheProfileFromTheKernel() {
    // The kernel counted 950 ms of init-thread CPU, the profile 800: 150 ms ran before the profiler started.
    ColdStartReport r = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2600, Map.of(
        "ddsls.init.thread_cpu_ms", 950.0, "ddsls.init.thread_runqueue_ms", 1500.0))), List.of(), cpuBound(2000, "running"));
    Map<String, Object> ev = find(r, "init-cpu-starved").evidence();
    assertEquals(150.0, ev.get("unprofiledCpuMs"));
    @SuppressWarnings("unchecked") Map<String, Double> projection = (Map<String, Double>) ev.get("projectionMs");
    assertEquals(3973.3, projection.get("512"), 1e-9); // (1000 + 150) / (512/1769)
    assertEquals(1150.0, projection.get("1769"), 1e-9);
    assertEquals(950.0, projection.get("3008"), 1e-9); // the init thread's own 800 + 150
  }

  @Test
  void theTopFindingOfCpuBoundInitDoesNotDependOnTheCpuShare() {
    ColdStartReport low = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of())), List.of(),
        cpuBound(2000, "running"));
    ColdStartReport full = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(1769, 1100, Map.of())), List.of(),
        cpuBound(1000, "running"));
    assertEquals(full.findings().get(0).id(), low.findings().get(0).id());
    assertNull(find(full, "init-cpu-starved"), "200 ms runnable of 1,000 is under 25 %");
  }

  @Test
  void projectionModel() {
    assertEquals(1000 * 1769 / 512.0, InitFindings.projectedInitMs(512, 0, 800, 1000), 1e-9);
    assertEquals(100 + 1000 / (10240 / 1769.0), InitFindings.projectedInitMs(10240, 100, 0, 1000), 1e-9);
    assertEquals(100 + 1000 / 6.0, InitFindings.projectedInitMs(20000, 100, 0, 1000), 1e-9, "at most 6 vCPUs");
  }

  @Test
  void socketReadInInitIsNetworkNamingTheFunctionsFrame() {
    ColdStartReport r = blocked(SOCKET_READ, "sleeping");
    Finding f = find(r, "init-off-cpu");
    assertNotNull(f, r.findings().toString());
    assertEquals("network", f.evidence().get("kind"));
    assertEquals("example.Config.fetch", f.evidence().get("frame"));
    assertEquals("sun.nio.ch.Net.poll", f.evidence().get("waitingIn"));
    assertEquals(600.0, f.evidence().get("blockedMs"));
    assertEquals(Finding.Severity.HIGH, f.severity());
    assertTrue(f.advice().contains("Parameters and Secrets"), f.advice());
    assertTrue(f.title().contains("example.Config.fetch"), f.title());
    assertEquals(600, r.init().wallSplit().blockedByKind().get("network"), 1e-9);
    assertNull(find(r, "init-cpu-starved"));
  }

  @Test
  void sleepInInit() {
    Finding f = find(blocked(SLEEP, "SLEEPING"), "init-off-cpu");
    assertNotNull(f);
    assertEquals("sleep", f.evidence().get("kind"));
    assertEquals("example.Secrets.fetch", f.evidence().get("frame"));
    assertTrue(f.advice().contains("sleep"), f.advice());
  }

  @Test
  void lockInInitWithJfrSpelling() {
    Finding f = find(blocked(LOCK, "STATE_SLEEPING"), "init-off-cpu");
    assertNotNull(f);
    assertEquals("lock", f.evidence().get("kind"));
    assertEquals("example.Registry.register", f.evidence().get("frame"));
    assertTrue(f.advice().contains("another thread held"), f.advice());
    assertEquals("java.util.concurrent.locks.ReentrantLock.lock", f.evidence().get("waitingIn"), "names the lock");
  }

  @Test
  void withoutStateLabelsRunnableCpuBoundTimeIsNotWaiting() {
    ColdStartReport r = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of())), List.of(),
        cpuBound(2000, null));
    WallSplit w = r.init().wallSplit();
    assertFalse(w.stateLabelled());
    assertEquals(0, w.runnableMs(), 1e-9);
    assertEquals(0, w.blockedMs(), 1e-9);
    assertEquals(1200, w.unclassifiedMs(), 1e-9);
    assertEquals(1200, r.init().offCpuMs(), 1e-9, "off-CPU (wall minus CPU) is still reported");
    assertNull(find(r, "init-off-cpu"), r.findings().toString());
    // A recognised blocking leaf still counts as blocked without a label (older profiles, JFR).
    Finding f = find(blocked(SLEEP, null), "init-off-cpu");
    assertNotNull(f);
    assertEquals("sleep", f.evidence().get("kind"));
  }

  @Test
  void kindsFromTheLeaf() {
    assertEquals("network", BlockingFrames.kind(List.of("java.net.Inet6AddressImpl.lookupAllHostAddr", "example.A.b")));
    assertEquals("file-io", BlockingFrames.kind(List.of("java.io.FileInputStream.readBytes", "example.A.b")));
    assertEquals("class-loading-lock", BlockingFrames.kind(List.of("ObjectMonitor::enter", "java.lang.ClassLoader.loadClass",
        "example.A.b")));
    assertEquals("lock", BlockingFrames.kind(List.of("ObjectMonitor::enter", "example.Registry.get")));
    assertEquals("thread-wait", BlockingFrames.kind(List.of("jdk.internal.misc.Unsafe.park",
        "java.util.concurrent.locks.LockSupport.park", "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire",
        "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquireSharedInterruptibly",
        "java.util.concurrent.CountDownLatch.await", "example.A.b")));
    assertEquals("thread-wait", BlockingFrames.kind(List.of("jdk.internal.misc.Unsafe.park",
        "java.util.concurrent.locks.LockSupport.park", "java.util.concurrent.FutureTask.awaitDone",
        "java.util.concurrent.FutureTask.get", "example.A.b")));
    assertEquals("thread-wait", BlockingFrames.kind(List.of("java.lang.Object.wait0", "java.lang.Object.wait", "example.A.b")));
    assertNull(BlockingFrames.kind(List.of("example.Rules.build", "java.net.URLClassLoader.loadClass")),
        "CPU work under java.net is not network");
    assertEquals(ThreadState.RUNNING, ThreadState.of("STATE_RUNNABLE"));
    assertEquals(ThreadState.BLOCKED, ThreadState.of("parked"));
    assertEquals(ThreadState.UNKNOWN, ThreadState.of(null));
  }

  @Test
  void memorySizeFromMetaOrMetric() {
    ColdStartReport meta = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of())), List.of(), List.of());
    assertEquals(Map.of("512", 1), meta.coldStartsByMemoryMb());
    Span numeric = new Span(1, 2, 0, Span.INVOCATION, "fn", "fn", "serverless", 0, 5 * MS, 0,
        Map.of("cold_start", "true", "functionname", "fn"), Map.of("memorysize", 1024.0));
    assertEquals(Map.of("1024", 1), ColdStartAnalyzer.analyze("fn", "fn", List.of(numeric), List.of(), List.of())
        .coldStartsByMemoryMb());
  }

  @Test
  void reportsStateTheSampledFractionAndTheSplit() {
    ColdStartReport r = ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(512, 2100, Map.of())), List.of(),
        cpuBound(2000, "running"));
    DiagnoseReport d = new DiagnoseReport("test", null, null, List.of(r), List.of(), null, List.of(), new DiagnoseReport.Inputs(1, 2, 0, 0));
    StringWriter text = new StringWriter();
    TextReport.write(d, new PrintWriter(text), false);
    String flat = text.toString().replaceAll("\\s+", " ");
    assertTrue(flat.contains("sampled 2,000 of 2,100 ms of init; the JVM's start before the agent's engine ran is not in the "
        + "profile"), text.toString());
    assertTrue(text.toString().contains("runnable 1200 ms"), text.toString());
    for (String line : text.toString().split("\n")) assertTrue(line.length() <= 100, "over 100 columns: " + line);
    JsonNode init = JsonReport.tree(d).get("functions").get(0).get("init");
    assertEquals(2000.0, init.get("sampledWallMs").asDouble());
    assertEquals(1200.0, init.get("wallSplit").get("runnableMs").asDouble());
    assertEquals(800.0, init.get("wallSplit").get("onCpuMs").asDouble());
    assertTrue(init.get("wallSplit").get("blockedByKind").isObject());
    assertTrue(init.get("offCpuMs").isNumber(), "existing fields stay");
  }

  /** 600 ms blocked in {@code stack} in state {@code state}, beside 50 ms of CPU in the handler's initialiser. */
  static ColdStartReport blocked(List<String> stack, String state) {
    List<String> clinit = List.of("example.Handler.<clinit>");
    List<ProfileSample> cpu = List.of(cpu(clinit, 50, INIT_THREAD));
    List<ProfileSample> wall = List.of(wall(stack, 600, INIT_THREAD, state), wall(clinit, 50, INIT_THREAD,
        state == null ? null : "running"));
    return ColdStartAnalyzer.analyze("fn", "fn", List.of(coldSpan(1024, 800, Map.of())), List.of(),
        List.of(new ProfileInput("cpu-1", profile("cpu", cpu)), new ProfileInput("wall-1", profile("wall", wall))));
  }

  static Finding find(ColdStartReport r, String id) {
    for (Finding f : r.findings()) if (f.id().equals(id)) return f;
    return null;
  }

  static Span coldSpan(int memoryMb, double initMs, Map<String, Double> metrics) {
    Map<String, Double> m = new HashMap<>(metrics);
    m.put("ddsls.init.duration_ms", initMs);
    return new Span(1, 7, 0, Span.INVOCATION, "fn", "fn", "serverless", 0, 5 * MS, 0,
        Map.of("cold_start", "true", "functionname", "fn", "memorysize", Integer.toString(memoryMb)), m);
  }

  static Profile profile(String type, List<ProfileSample> samples) {
    return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
        new ValueType(type, "nanoseconds"), 10 * MS, 0, 0, List.of(), samples);
  }

  static ProfileSample cpu(List<String> stack, double ms, long thread) {
    return cpu(stack, ms, thread, "main");
  }

  static ProfileSample cpu(List<String> stack, double ms, long thread, String name) {
    return new ProfileSample(stack, new long[stack.size()], new long[] {(long) (ms / 10), (long) (ms * MS)},
        Map.of(InitBreakdown.PHASE, InitBreakdown.INIT, "thread name", name), Map.of("local root span id", 7L, "thread id", thread));
  }

  static ProfileSample wall(List<String> stack, double ms, long thread, String state) {
    Map<String, String> labels = new HashMap<>(Map.of(InitBreakdown.PHASE, InitBreakdown.INIT, "thread name", "main"));
    if (state != null) labels.put(ThreadState.LABEL, state);
    return new ProfileSample(stack, new long[stack.size()], new long[] {(long) (ms / 10), (long) (ms * MS)}, labels,
        Map.of("local root span id", 7L, "thread id", thread));
  }
}
