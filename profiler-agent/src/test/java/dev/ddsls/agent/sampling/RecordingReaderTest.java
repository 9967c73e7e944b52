package dev.ddsls.agent.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.formats.pprof.Frame;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's reader against the JDK's own ({@code jdk.jfr.consumer}) on the same files: a real async-profiler 4.2
 * recording (cpu and wall samples, thread states, native frames) and a JDK Flight Recorder recording made here, as the
 * JFR fallback engine makes them. Every sample must come out alike: kind, time, thread, frames, weight and state.
 */
class RecordingReaderTest {
  private static final long INTERVAL = 1_000_000;

  @Test void readsAnAsyncProfilerRecordingAsTheJdkDoes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("async.jfr");
    try (InputStream in = RecordingReaderTest.class.getResourceAsStream("/jfr/async-profiler-4.2-cpu-wall.jfr")) {
      Files.copy(in, file);
    }
    List<Sample> expected = viaJdk(file);
    RecordingReader reader = new RecordingReader();
    List<Sample> actual = reader.read(file, INTERVAL);
    assertSame(expected, actual);
    assertTrue(actual.stream().anyMatch(s -> s.kind() == Sample.Kind.WALL && "sleeping".equals(s.threadState())), "wall samples with states");
    assertTrue(actual.stream().anyMatch(s -> s.kind() == Sample.Kind.CPU), "cpu samples");
    assertTrue(actual.stream().anyMatch(s -> s.stack().length > 0 && s.stack()[0].className.isEmpty() && s.stack()[0].method.startsWith("__")),
        "native frames named by their symbol alone");
    String engine = null;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        if (e.getEventType().getName().equals("jdk.ActiveSetting") && "engine".equals(e.getString("name"))) engine = e.getString("value");
      }
    }
    assertTrue(engine != null && !engine.isEmpty(), "async-profiler states its engine");
    assertEquals(engine, reader.engineSetting, "the engine async-profiler reports");
  }

  @Test void readsAJdkFlightRecording(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jdk.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      r.start();
      long end = System.nanoTime() + 300_000_000L;
      double x = 0;
      while (System.nanoTime() < end) x += Math.sqrt(x + System.nanoTime() % 7);
      assertTrue(x > 0);
      r.stop();
      r.dump(file);
    }
    List<Sample> expected = viaJdk(file);
    assertTrue(!expected.isEmpty(), "the JDK recorded samples");
    assertSame(expected, new RecordingReader().read(file, INTERVAL));
  }

  private static void assertSame(List<Sample> expected, List<Sample> actual) {
    assertEquals(expected.size(), actual.size(), "samples");
    for (int i = 0; i < expected.size(); i++) {
      Sample e = expected.get(i), a = actual.get(i);
      String at = "sample " + i;
      assertEquals(e.kind(), a.kind(), at);
      assertTrue(Math.abs(e.epochNanos() - a.epochNanos()) <= 1_000, at + ": " + e.epochNanos() + " vs " + a.epochNanos());
      assertEquals(e.threadId(), a.threadId(), at);
      assertEquals(e.threadName(), a.threadName(), at);
      assertEquals(e.weightNanos(), a.weightNanos(), at);
      assertEquals(e.threadState(), a.threadState(), at);
      assertArrayEquals(names(e.stack()), names(a.stack()), at);
    }
  }

  private static String[] names(Frame[] stack) {
    String[] out = new String[stack.length];
    for (int i = 0; i < stack.length; i++) out[i] = stack[i].className + "|" + stack[i].method + "|" + stack[i].line;
    return out;
  }

  /** The samples as the JDK's reader sees them, named as the agent names them. */
  private static List<Sample> viaJdk(Path file) throws Exception {
    List<Sample> out = new ArrayList<>();
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        boolean cpu = type.equals("jdk.ExecutionSample");
        if (!cpu && !type.equals("profiler.WallClockSample")) continue;
        RecordedThread t = e.hasField("sampledThread") ? e.getThread("sampledThread") : null;
        long id = t == null ? 0 : t.getJavaThreadId() > 0 ? t.getJavaThreadId() : t.getOSThreadId();
        String name = t == null ? "" : t.getJavaName() != null ? t.getJavaName() : t.getOSName() != null ? t.getOSName() : "";
        long weight = INTERVAL * (!cpu && e.hasField("samples") ? Math.max(1, e.getLong("samples")) : 1);
        String state = null;
        if (!cpu && e.hasField("state")) {
          Object v = e.getValue("state");
          String raw = v instanceof String s ? s : v instanceof RecordedObject o && o.hasField("name") ? o.getString("name") : null;
          if (raw != null) state = RecordingReader.normalState(raw);
        }
        List<Frame> frames = new ArrayList<>();
        if (e.getStackTrace() != null) {
          for (RecordedFrame f : e.getStackTrace().getFrames()) {
            RecordedMethod m = f.getMethod();
            String method = m == null ? "[unknown]" : m.getName();
            String cls = m == null || m.getType() == null ? "" : m.getType().getName();
            String kind = f.getType();
            if ("Native".equals(kind) || "C++".equals(kind) || "Kernel".equals(kind)) {
              if (method == null || method.isEmpty()) method = cls;
              cls = "";
            }
            frames.add(new Frame(cls == null ? "" : cls, method == null || method.isEmpty() ? "[unknown]" : method, Math.max(0, f.getLineNumber())));
          }
        }
        Instant time = e.getStartTime();
        out.add(new Sample(cpu ? Sample.Kind.CPU : Sample.Kind.WALL, time.getEpochSecond() * 1_000_000_000L + time.getNano(), id, name,
            frames.toArray(new Frame[0]), weight, state));
      }
    }
    return out;
  }
}
