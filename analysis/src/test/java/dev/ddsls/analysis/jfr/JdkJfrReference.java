package dev.ddsls.analysis.jfr;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.EventType;
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
    long[] cpuTimes = {Long.MAX_VALUE, Long.MIN_VALUE, 0}, wallTimes = {Long.MAX_VALUE, Long.MIN_VALUE, 0};
    // Periods by event type name, from jdk.ActiveSetting: the setting's id is the type id of its chunk.
    Map<String, Long> periods = new HashMap<>();
    Map<Long, String> endpoints = new HashMap<>();
    // One chunk at a time, as its own file: a setting's id is a type id of its chunk, and chunks of different
    // producers (the JDK's and ddprof's in one dd-trace-java upload) number their types differently.
    for (Path chunk : chunks(file)) {
      List<RecordedEvent> events = new ArrayList<>();
      Map<Long, String> typeNames = new HashMap<>();
      try (RecordingFile rf = new RecordingFile(chunk)) {
        for (EventType t : rf.readEventTypes()) typeNames.put(t.getId(), t.getName());
        while (rf.hasMoreEvents()) events.add(rf.readEvent());
      }
      for (RecordedEvent e : events) {
        if (!e.getEventType().getName().equals("jdk.ActiveSetting")) continue;
        String name = e.getString("name");
        if (!name.equals("period") && !name.equals("interval")) continue;
        long ns = periodNanos(e.getString("value"));
        String of = typeNames.get(e.getLong("id"));
        if (ns > 0 && of != null) periods.put(of, ns);
      }
      for (RecordedEvent e : events) {
        String type = e.getEventType().getName();
        switch (type) {
          case "datadog.Endpoint": endpoints.put(e.getLong("localRootSpanId"), e.getString("endpoint")); break;
          case "jdk.ExecutionSample": case "datadog.ExecutionSample": case "profiler.WallClockSample": case "datadog.MethodSample": {
            long p = periods.getOrDefault(type, JfrProfiles.DEFAULT_PERIOD.toNanos());
            boolean isWall = type.equals("profiler.WallClockSample") || type.equals("datadog.MethodSample");
            add(e, isWall ? wall : cpu, isWall ? wallTimes : cpuTimes, p, endpoints);
            break;
          }
          default:
        }
      }
    }
    // Endpoints recorded after their samples: labels are resolved over the whole recording.
    relabel(cpu, endpoints);
    relabel(wall, endpoints);
    // A traced recording is a running service's, not a cold start: requests are phase=invocation, the rest unlabelled.
    boolean traced = Stream.concat(cpu.stream(), wall.stream()).anyMatch(JdkJfrReference::hasSpan);
    if (traced) {
      for (List<ProfileSample> samples : List.of(cpu, wall)) {
        samples.replaceAll(s -> {
          Map<String, String> str = new HashMap<>(s.strLabels());
          str.remove(InitBreakdown.PHASE);
          if (hasSpan(s)) str.put(InitBreakdown.PHASE, "invocation");
          return new ProfileSample(s.stack(), s.lines(), s.values(), str, s.numLabels());
        });
      }
    }
    List<Profile> out = new ArrayList<>();
    if (!cpu.isEmpty()) out.add(profile("cpu", cpuTimes, cpu));
    if (!wall.isEmpty()) out.add(profile("wall", wallTimes, wall));
    return out;
  }

  /** The file's chunks, each written to a file of its own (a chunk's size is the 8 bytes at offset 8). */
  private static List<Path> chunks(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    List<Path> out = new ArrayList<>();
    for (int at = 0, n = 0; at < b.length; n++) {
      long size = ByteBuffer.wrap(b, at + 8, 8).getLong();
      Path chunk = Files.createTempFile("chunk-" + n + "-", ".jfr");
      chunk.toFile().deleteOnExit();
      Files.write(chunk, Arrays.copyOfRange(b, at, at + (int) size));
      out.add(chunk);
      at += (int) size;
    }
    return out;
  }

  /** "9 ms", "20 ms", "1 s" or a bare number of nanoseconds. */
  static long periodNanos(String v) {
    String[] p = v.trim().split(" ");
    long n;
    try {
      n = Long.parseLong(p[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
    if (p.length == 1) return n;
    switch (p[1]) {
      case "ns": return n;
      case "us": return n * 1_000;
      case "ms": return n * 1_000_000;
      case "s": return n * 1_000_000_000;
      default: return 0;
    }
  }

  private static void add(RecordedEvent e, List<ProfileSample> samples, long[] times, long period, Map<Long, String> endpoints) {
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
    RecordedThread t = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.getThread();
    if (t != null) {
      if (t.getJavaName() != null) str.put("thread name", t.getJavaName());
      num.put("thread id", t.getJavaThreadId() > 0 ? t.getJavaThreadId() : t.getOSThreadId());
    }
    if (e.hasField("spanId") && e.getLong("spanId") != 0) num.put("span id", e.getLong("spanId"));
    if (e.hasField("localRootSpanId") && e.getLong("localRootSpanId") != 0) num.put("local root span id", e.getLong("localRootSpanId"));
    long weight = e.hasField("weight") ? e.getLong("weight") : e.hasField("samples") ? e.getLong("samples") : 1;
    weight = Math.max(1, weight);
    long ns = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
    times[0] = Math.min(times[0], ns);
    times[1] = Math.max(times[1], ns);
    if (times[2] == 0) times[2] = period;
    samples.add(new ProfileSample(stack, lines, new long[] {weight, weight * period}, str, num));
  }

  private static void relabel(List<ProfileSample> samples, Map<Long, String> endpoints) {
    samples.replaceAll(s -> {
      Long root = s.numLabels().get("local root span id");
      String endpoint = root == null ? null : endpoints.get(root);
      if (endpoint == null) return s;
      Map<String, String> str = new HashMap<>(s.strLabels());
      str.put("trace endpoint", endpoint);
      return new ProfileSample(s.stack(), s.lines(), s.values(), str, s.numLabels());
    });
  }

  private static Profile profile(String type, long[] times, List<ProfileSample> samples) {
    return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
        new ValueType(type, "nanoseconds"), times[2], times[0], times[1] - times[0],
        List.of("ddsls.engine=jfr", "ddsls.source=jfr"), samples);
  }

  private static boolean hasSpan(ProfileSample s) {
    return s.numLabels().get("span id") != null || s.numLabels().get("local root span id") != null;
  }
}
