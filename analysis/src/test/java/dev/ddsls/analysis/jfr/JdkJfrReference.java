package dev.ddsls.analysis.jfr;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The test oracle: the same profiles built with the JDK's own JFR parser ({@code jdk.jfr.consumer}), slowly, event by
 * event. {@link JfrProfiles} must produce exactly what this does.
 */
final class JdkJfrReference {
  private JdkJfrReference() {}

  static List<Profile> read(Path file) throws IOException {
    List<ProfileSample> cpu = new ArrayList<>(), wall = new ArrayList<>();
    long[] cpuTimes = {Long.MAX_VALUE, Long.MIN_VALUE}, wallTimes = {Long.MAX_VALUE, Long.MIN_VALUE};
    try (RecordingFile rf = new RecordingFile(file)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) add(e, cpu, cpuTimes, JfrProfiles.CPU_INTERVAL.toNanos());
        else if (type.equals("profiler.WallClockSample")) add(e, wall, wallTimes, JfrProfiles.WALL_INTERVAL.toNanos());
      }
    }
    List<Profile> out = new ArrayList<>();
    if (!cpu.isEmpty()) out.add(profile("cpu", JfrProfiles.CPU_INTERVAL.toNanos(), cpuTimes, cpu));
    if (!wall.isEmpty()) out.add(profile("wall", JfrProfiles.WALL_INTERVAL.toNanos(), wallTimes, wall));
    return out;
  }

  private static void add(RecordedEvent e, List<ProfileSample> samples, long[] times, long interval) {
    if (e.getStackTrace() == null) return;
    List<RecordedFrame> frames = e.getStackTrace().getFrames();
    List<String> stack = new ArrayList<>();
    long[] lines = new long[frames.size()];
    for (int i = 0; i < frames.size(); i++) {
      RecordedFrame f = frames.get(i);
      stack.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
      lines[i] = Math.max(0, f.getLineNumber());
    }
    Map<String, String> str = new HashMap<>();
    Map<String, Long> num = new HashMap<>();
    str.put(InitBreakdown.PHASE, InitBreakdown.INIT);
    RecordedThread t = e.getThread("sampledThread");
    if (t != null) {
      if (t.getJavaName() != null) str.put("thread name", t.getJavaName());
      num.put("thread id", t.getJavaThreadId() > 0 ? t.getJavaThreadId() : t.getOSThreadId());
    }
    long ns = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
    times[0] = Math.min(times[0], ns);
    times[1] = Math.max(times[1], ns);
    samples.add(new ProfileSample(stack, lines, new long[] {1, interval}, str, num));
  }

  private static Profile profile(String type, long interval, long[] times, List<ProfileSample> samples) {
    return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
        new ValueType(type, "nanoseconds"), interval, times[0], times[1] - times[0],
        List.of("ddsls.engine=jfr", "ddsls.source=jfr"), samples);
  }
}
