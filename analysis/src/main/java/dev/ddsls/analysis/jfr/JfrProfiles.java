package dev.ddsls.analysis.jfr;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording as {@link Profile}s, with the JDK's {@code jdk.jfr.consumer}: {@code jdk.ExecutionSample} (JFR's
 * and async-profiler's CPU samples) becomes a cpu profile, {@code profiler.WallClockSample} (async-profiler wall
 * mode) a wall profile. Each sample is worth the sampling interval ({@link #CPU_INTERVAL} / {@link #WALL_INTERVAL};
 * JFR does not store it per event). A plain JFR has no phase labels: every sample is labelled {@code phase=init}
 * (decision: a JFR file given to diagnose is taken to be a cold-start recording; see docs/diagnose.md).
 */
public final class JfrProfiles {
  public static final Duration CPU_INTERVAL = Duration.ofMillis(10);
  public static final Duration WALL_INTERVAL = Duration.ofMillis(10);

  private JfrProfiles() {}

  /** The cpu and wall profiles in the recording (either may be absent). */
  public static List<Profile> read(Path file) throws IOException {
    Builder cpu = new Builder("cpu", CPU_INTERVAL.toNanos());
    Builder wall = new Builder("wall", WALL_INTERVAL.toNanos());
    try (RecordingFile rf = new RecordingFile(file)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) cpu.add(e);
        else if (type.equals("profiler.WallClockSample")) wall.add(e);
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": not a readable JFR recording (" + e.getMessage() + ")", e);
    }
    List<Profile> out = new ArrayList<>();
    if (!cpu.samples.isEmpty()) out.add(cpu.build());
    if (!wall.samples.isEmpty()) out.add(wall.build());
    return out;
  }

  private static final class Builder {
    final String type;
    final long interval;
    final List<ProfileSample> samples = new ArrayList<>();
    final Map<String, String> methodNames = new HashMap<>();
    long first = Long.MAX_VALUE, last = Long.MIN_VALUE;

    Builder(String type, long interval) {
      this.type = type;
      this.interval = interval;
    }

    void add(RecordedEvent e) {
      RecordedStackTrace st = e.getStackTrace();
      if (st == null) return;
      List<RecordedFrame> frames = st.getFrames();
      List<String> stack = new ArrayList<>(frames.size());
      long[] lines = new long[frames.size()];
      for (int i = 0; i < frames.size(); i++) {
        RecordedFrame f = frames.get(i);
        String cls = f.getMethod().getType().getName();
        String m = f.getMethod().getName();
        stack.add(methodNames.computeIfAbsent(cls + '\0' + m, k -> cls + "." + m));
        lines[i] = Math.max(0, f.getLineNumber());
      }
      Map<String, String> str = new HashMap<>();
      Map<String, Long> num = new HashMap<>();
      str.put(InitBreakdown.PHASE, InitBreakdown.INIT);
      RecordedThread t = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.getThread();
      if (t != null) {
        if (t.getJavaName() != null) str.put("thread name", t.getJavaName());
        num.put("thread id", t.getJavaThreadId() > 0 ? t.getJavaThreadId() : t.getOSThreadId());
      }
      long ns = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
      first = Math.min(first, ns);
      last = Math.max(last, ns);
      samples.add(new ProfileSample(stack, lines, new long[] {1, interval}, str, num));
    }

    Profile build() {
      return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
          new ValueType(type, "nanoseconds"), interval, first, last - first,
          List.of("ddsls.engine=jfr", "ddsls.source=jfr"), samples);
    }
  }
}
