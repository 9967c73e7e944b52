package dev.ddsls.analysis.jfr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import one.profiler.AsyncProfiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JfrProfiles} on real recordings of the JDK's recorder and of async-profiler, against the JDK's own parser. */
class JfrProfilesTest {
  @TempDir Path tmp;

  @Test void jdkRecordingMatchesTheJdkParser() throws Exception {
    Path jfr = tmp.resolve("jdk.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(1));
      r.start();
      runNamed("ddsls-burner", () -> burn(300));
      r.stop();
      r.dump(jfr);
    }
    List<Profile> ours = assertSameAsJdk(jfr);
    assertEquals(1, ours.size(), "a JDK recording has cpu samples only");
    assertTrue(ours.get(0).samples().stream().anyMatch(s -> "ddsls-burner".equals(s.strLabel("thread name"))
        && s.stack().contains(JfrProfilesTest.class.getName() + ".burn") && s.line(s.stack().indexOf(JfrProfilesTest.class.getName() + ".burn")) > 0),
        "the burner thread's samples carry its name, the frame and its line");
  }

  @Test void asyncProfilerCpuAndWallMatchTheJdkParser() throws Exception {
    Path jfr = asyncProfilerRecording();
    List<Profile> ours = assertSameAsJdk(jfr);
    assertEquals(List.of("cpu", "wall"), ours.stream().map(p -> p.sampleTypes().get(1).type()).toList());
    String sleeper = JfrProfilesTest.class.getName() + ".sleep";
    assertTrue(ours.get(1).samples().stream().anyMatch(s -> s.stack().contains(sleeper)), "wall samples of the sleeping thread");
    assertTrue(ours.get(0).samples().stream().noneMatch(s -> s.stack().contains(sleeper)), "no cpu samples of it");
  }

  /**
   * Real uploads of dd-trace-java 1.65.1 (the {@code main.jfr} of a service whose spans come from
   * {@code dd.trace.methods}): with its profiler ddprof (the JDK's chunk and ddprof's chunk, {@code datadog.ExecutionSample}
   * and {@code datadog.MethodSample} with span ids, periods stated as {@code interval}), and with ddprof off
   * ({@code jdk.ExecutionSample} at the 9 ms the tracer sets, {@code datadog.Endpoint}).
   */
  @Test void ddTraceJavaRecordingsMatchTheJdkParser() throws Exception {
    List<Profile> ddprof = assertSameAsJdk(resource("dd-trace-java-1.65.1-ddprof.jfr"));
    assertEquals(List.of("cpu", "wall"), ddprof.stream().map(p -> p.sampleTypes().get(1).type()).toList());
    assertEquals(10_000_000, ddprof.get(0).period(), "ddprof's cpu interval, as stated in the recording");
    assertEquals(50_000_000, ddprof.get(1).period(), "ddprof's wall interval");
    for (Profile p : ddprof) {
      assertTrue(p.samples().stream().anyMatch(s -> s.stack().contains("app.Work.burn") && s.numLabels().get("span id") != null
          && s.numLabels().get("local root span id") != null), "the traced method's samples carry its span");
    }
    assertTrue(ddprof.get(1).samples().stream().anyMatch(s -> "Work.handle".equals(s.strLabel("trace endpoint"))),
        "datadog.Endpoint names the local root's endpoint");
    // A running service's recording is no cold start: its traced samples are requests, the rest have no phase.
    for (Profile p : ddprof) {
      assertFalse(p.samples().isEmpty());
      for (var s : p.samples()) {
        boolean traced = s.numLabels().get("span id") != null || s.numLabels().get("local root span id") != null;
        assertEquals(traced ? "invocation" : null, s.strLabel("phase"), s.stack().toString());
      }
    }
    List<Profile> jdk = assertSameAsJdk(resource("dd-trace-java-1.65.1-jdk.jfr"));
    assertEquals(9_000_000, jdk.get(0).period(), "dd-trace-java's jdk.ExecutionSample period");
    assertTrue(jdk.get(0).samples().stream().allMatch(s -> s.value(1) == 9_000_000), "each sample worth 9 ms, not 10");
  }

  @Test void unreadSampleKindsAreCountedInNotes() throws Exception {
    JfrProfiles.Recording r = JfrProfiles.read(Files.readAllBytes(resource("dd-trace-java-1.65.1-jdk.jfr")));
    assertTrue(r.notes().stream().anyMatch(n -> n.matches("\\d+ jdk.ObjectAllocationSample events not read: .*")), r.notes().toString());
  }

  private static Path resource(String name) throws Exception {
    return Path.of(JfrProfilesTest.class.getResource("/jfr/" + name).toURI());
  }

  /** Chunks of different producers in one file (as {@code cat a.jfr b.jfr} makes): ids are per chunk. */
  @Test void multiChunkFileMatchesTheJdkParser() throws Exception {
    Path jdk = tmp.resolve("jdk.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      r.start();
      runNamed("ddsls-burner", () -> burn(200));
      r.stop();
      r.dump(jdk);
    }
    Path both = tmp.resolve("both.jfr");
    Files.write(both, Files.readAllBytes(asyncProfilerRecording()));
    Files.write(both, Files.readAllBytes(jdk), StandardOpenOption.APPEND);
    assertEquals(List.of("cpu", "wall"), assertSameAsJdk(both).stream().map(p -> p.sampleTypes().get(1).type()).toList());
  }

  @Test void truncatedAsyncProfilerRecordingIsOneClearError() throws Exception {
    Path whole = asyncProfilerRecording();
    byte[] b = Files.readAllBytes(whole);
    for (int len : new int[] {b.length - 1, b.length / 2, 40}) {
      Path cut = tmp.resolve("cut-" + len + ".jfr");
      Files.write(cut, Arrays.copyOf(b, len));
      IOException e = assertThrows(IOException.class, () -> JfrProfiles.read(cut));
      assertTrue(e.getMessage().startsWith(cut + ": not a readable JFR recording (") && e.getMessage().contains("truncated"), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line");
    }
  }

  @Test void garbageIsOneClearError() throws Exception {
    Path f = tmp.resolve("rec.jfr");
    Files.writeString(f, "FLR\0 not really a recording, but long enough to hold a chunk header........................");
    IOException e = assertThrows(IOException.class, () -> JfrProfiles.read(f));
    assertTrue(e.getMessage().startsWith(f + ": not a readable JFR recording ("), e.getMessage());
  }

  /** async-profiler in this JVM: cpu samples of a busy thread and wall samples of a sleeping one, to JFR. */
  private Path asyncProfilerRecording() throws Exception {
    Path jfr = tmp.resolve("async.jfr");
    if (Files.exists(jfr)) return jfr;
    AsyncProfiler ap = AsyncProfiler.getInstance();
    ap.execute("start,event=cpu,interval=1ms,wall=5ms,jfr,file=" + jfr);
    try {
      Thread sleeper = new Thread(() -> sleep(400), "ddsls-sleeper");
      sleeper.start();
      runNamed("ddsls-burner", () -> burn(400));
      sleeper.join();
    } finally {
      ap.execute("stop");
    }
    return jfr;
  }

  private static List<Profile> assertSameAsJdk(Path jfr) throws IOException {
    List<Profile> expected = JdkJfrReference.read(jfr);
    List<Profile> actual = JfrProfiles.read(jfr);
    assertEquals(expected.size(), actual.size());
    assertTrue(!actual.isEmpty() && actual.get(0).samples().size() > 10, "enough samples to compare: " + actual);
    for (int i = 0; i < expected.size(); i++) {
      Profile e = expected.get(i), a = actual.get(i);
      assertEquals(e.sampleTypes(), a.sampleTypes());
      assertEquals(e.periodType(), a.periodType());
      assertEquals(e.period(), a.period());
      assertEquals(e.timeNanos(), a.timeNanos());
      assertEquals(e.durationNanos(), a.durationNanos());
      assertEquals(e.comments(), a.comments());
      assertEquals(e.samples().size(), a.samples().size());
      for (int j = 0; j < e.samples().size(); j++) {
        ProfileSample es = e.samples().get(j), as = a.samples().get(j);
        assertEquals(es.stack(), as.stack(), "sample " + j);
        assertArrayEquals(es.lines(), as.lines(), "sample " + j);
        assertArrayEquals(es.values(), as.values(), "sample " + j);
        assertEquals(es.strLabels(), as.strLabels(), "sample " + j);
        assertEquals(es.numLabels(), as.numLabels(), "sample " + j);
      }
    }
    return actual;
  }

  private static void runNamed(String name, Runnable r) throws InterruptedException {
    Thread t = new Thread(r, name);
    t.start();
    t.join();
  }

  static volatile long sink;

  static void burn(long millis) {
    long end = System.nanoTime() + millis * 1_000_000;
    long x = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 10_000; i++) x += i * 31L ^ x;
    }
    sink = x;
  }

  static void sleep(long millis) {
    LockSupport.parkNanos(millis * 1_000_000);
  }
}
