package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.sampling.JfrEngine;
import dev.ddsls.agent.trace.Invocation;
import dev.ddsls.agent.trace.TraceSettings;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.value.Value;

/**
 * The agent across a SnapStart checkpoint and restore, driven as the Runtime API proxy drives it, with a real engine
 * (the JDK's Flight Recorder in this JVM) and a real intake on loopback that fails before the snapshot: what could not
 * be sent before the snapshot is never sent after the restore, the engine that stopped is restarted, and the first
 * invocation after the restore is profiled and traced as such.
 */
class SnapStartFlushTest {
  static final int BUDGET_MS = 2000;

  /** One request the intake received: path, body, content type, and whether it came after the restore. */
  record Received(String path, byte[] body, String contentType, boolean afterRestore) {}

  @TempDir Path tmp;

  /**
   * Runs on a CPU for {@code millis} of this thread's CPU time (other workers load the machine: wall time says little),
   * in plain Java arithmetic: JFR's sampler rarely gets a stack of a thread inside an intrinsic's stub (a loop of
   * {@code Math.sin} gave 1 sample in 500 ms at a 10 ms period, which is how this test once saw no samples at all).
   */
  static void burn(long millis) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long end = threads.getCurrentThreadCpuTime() + millis * 1_000_000L;
    long x = 1;
    while (threads.getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 100_000; i++) { // xorshift: no calls, nothing the JIT can drop
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
    }
    if (x == 42) System.out.println(x);
  }

  @Test
  @Timeout(120)
  void nothingFromBeforeTheSnapshotIsSentAfterTheRestoreAndSamplingContinues() throws Exception {
    AtomicBoolean restored = new AtomicBoolean();
    List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer intake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    intake.createContext("/", x -> {
      byte[] body = x.getRequestBody().readAllBytes();
      boolean after = restored.get();
      received.add(new Received(x.getRequestURI().getPath(), body, x.getRequestHeaders().getFirst("Content-Type"), after));
      x.sendResponseHeaders(after ? 200 : 503, -1); // the intake is down until the snapshot has been taken
      x.close();
    });
    intake.start();
    JfrEngine engine = null;
    Flusher flusher = null;
    try {
      AgentConfig config = TestConfig.of("DD_TRACE_AGENT_URL", "http://127.0.0.1:" + intake.getAddress().getPort(),
          "DDSLS_FLUSH_BUDGET_MS", Integer.toString(BUDGET_MS), "AWS_LAMBDA_FUNCTION_NAME", "f",
          "AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
      Timeline timeline = new Timeline(System.nanoTime(), System.currentTimeMillis() * 1_000_000L);
      timeline.premainEndNanos = System.nanoTime();
      InvocationTracker tracker = new InvocationTracker(timeline);
      tracker.setTracing(TraceSettings.from(config));
      flusher = new Flusher(config, timeline, tracker);
      tracker.setFlushControl(flusher);
      try (Recording warm = new Recording()) { // the Flight Recorder's own start-up, once per JVM, before the engine's
        warm.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        warm.start();
        burn(100);
        warm.stop();
      }
      engine = JfrEngine.start(tmp, 2_000_000L, 10_000_000L);
      flusher.setEngine(engine);
      Thread thread = new Thread(flusher, "ddsls-flush-test");
      thread.setDaemon(true);
      thread.start();

      burn(300); // init
      tracker.onCheckpoint(System.nanoTime());
      long[] dropped = flusher.droppedAtCheckpoint();
      assertTrue(dropped[0] >= 1 && dropped[1] >= 1, "the intake refused the init profile and span: dropped, not held " + Arrays.toString(dropped));

      // What a restore may do to a sampler: its recording no longer runs.
      for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) if (r.getState() == RecordingState.RUNNING) r.stop();
      assertFalse(engine.sampling());
      restored.set(true);
      String snapshotRuntime = Invocation.runtimeId();
      tracker.onRestored(System.nanoTime());
      assertFalse(snapshotRuntime.equals(Invocation.runtimeId()), "a restored copy has a runtime id of its own");
      for (int i = 0; i < 500 && !engine.sampling(); i++) Thread.sleep(10);
      assertTrue(engine.sampling(), "the engine was restarted after the restore");

      burn(200); // afterRestore hooks
      tracker.onNextRequested(System.nanoTime());
      String id = "after-restore-1";
      tracker.onInvocation(new InvocationEvent(id, System.currentTimeMillis() + 60_000, "arn:aws:lambda:us-east-1:1:function:f", null,
          null, Map.of(), "{}".getBytes(StandardCharsets.UTF_8), System.nanoTime()));
      burn(300);
      tracker.onResponse(id, System.nanoTime(), 2);
      tracker.onNextRequested(System.nanoTime());
      flusher.shutdown(5000); // SIGTERM: whatever the first invocation's flush had not sent yet goes now
      flusher = null;

      List<String> spanNames = new ArrayList<>();
      List<String> phases = new ArrayList<>();
      List<Long> restoreWeights = new ArrayList<>();
      for (Received r : received) {
        if (!r.afterRestore()) continue;
        if (r.path().equals("/v0.4/traces")) {
          for (Value trace : MessagePack.newDefaultUnpacker(r.body()).unpackValue().asArrayValue()) {
            for (Value span : trace.asArrayValue()) {
              for (Map.Entry<Value, Value> f : span.asMapValue().entrySet()) {
                if (f.getKey().asStringValue().asString().equals("name")) spanNames.add(f.getValue().asStringValue().asString());
              }
            }
          }
        } else if (r.path().equals("/profiling/v1/input")) {
          for (PprofSamples.Labels l : PprofSamples.read(gunzip(attachment(r, "cpu.pprof"))).samples) {
            String phase = l.str().get("phase");
            if (!phases.contains(phase)) phases.add(phase);
            // The restarted recording samples at the init interval, as the one begun at the checkpoint would have.
            if (phase.equals("restore")) restoreWeights.add(l.values()[1] / l.values()[0]);
          }
        }
      }
      assertTrue(spanNames.contains("aws.lambda") && spanNames.contains("aws.lambda.snapstart_restore"), spanNames.toString());
      assertFalse(spanNames.contains("aws.lambda.snapstart_init"), "the snapshot's init span was sent again after the restore: " + spanNames);
      assertFalse(phases.contains("init"), "init samples were sent again after the restore");
      // The restarted engine sampled after the restore, and its samples land in the restore's two phases.
      assertTrue(phases.contains("restore") && phases.contains("first_invocation_after_restore"),
          "samples after the restore in the afterRestore hooks and the first invocation: " + phases);
      assertEquals(List.of(2_000_000L), restoreWeights.stream().distinct().toList(), "the restore's samples weigh the init interval each");
    } finally {
      if (flusher != null) flusher.shutdown(100);
      if (engine != null) engine.stop();
      intake.stop(0);
    }
  }

  /** One multipart attachment's bytes, by its file name. */
  static byte[] attachment(Received r, String filename) {
    String boundary = "--" + r.contentType().substring(r.contentType().indexOf("boundary=") + 9);
    String text = new String(r.body(), StandardCharsets.ISO_8859_1);
    int name = text.indexOf("filename=\"" + filename + "\"");
    if (name < 0) throw new AssertionError("no " + filename + " in the upload");
    int start = text.indexOf("\r\n\r\n", name) + 4;
    int end = text.indexOf("\r\n" + boundary, start);
    return Arrays.copyOfRange(r.body(), start, end);
  }

  static byte[] gunzip(byte[] gz) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
