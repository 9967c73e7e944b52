package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import dev.ddsls.formats.pprof.Frame;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads execution samples from a JFR file written by async-profiler or by the JDK's Flight Recorder, with the
 * JDK's own reader. Only runs at flush time, after the response has gone out.
 */
final class RecordingReader {
  /** Memory bound: samples kept from one recording (10 ms interval: about 33 minutes of one busy thread). */
  static final int MAX_SAMPLES = 200_000;

  String engineSetting;
  long dropped;

  List<Sample> read(Path file, long intervalNanos) {
    List<Sample> out = new ArrayList<>();
    Map<Frame, Frame> frames = new HashMap<>();
    Map<String, String> states = new HashMap<>();
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        Sample.Kind kind;
        if ("jdk.ExecutionSample".equals(type)) kind = Sample.Kind.CPU;
        else if ("profiler.WallClockSample".equals(type)) kind = Sample.Kind.WALL;
        else {
          if ("jdk.ActiveSetting".equals(type) && "engine".equals(stringField(e, "name"))) engineSetting = stringField(e, "value");
          continue;
        }
        if (out.size() >= MAX_SAMPLES) {
          dropped++;
          continue;
        }
        RecordedThread thread = e.hasField("sampledThread") ? e.getThread("sampledThread") : null;
        long weight = intervalNanos;
        if (kind == Sample.Kind.WALL && e.hasField("samples")) weight = intervalNanos * Math.max(1, e.getLong("samples"));
        String state = kind == Sample.Kind.WALL ? threadState(e, states) : null;
        out.add(new Sample(kind, epochNanos(e.getStartTime()), threadId(thread), threadName(thread), stack(e.getStackTrace(), frames), weight,
            state));
      }
    } catch (Throwable t) {
      AgentLog.once("read-recording", "could not read the recording " + file.getFileName() + " (" + AgentLog.describe(t) + "); its samples are lost");
    }
    return out;
  }

  private static String stringField(RecordedEvent e, String name) {
    try {
      return e.hasField(name) ? e.getString(name) : null;
    } catch (RuntimeException ex) {
      return null;
    }
  }

  /**
   * The {@code state} of an async-profiler wall-clock sample ({@code jdk.types.ThreadState}: {@code STATE_RUNNABLE},
   * {@code STATE_SLEEPING}, ...), as {@code running}, {@code sleeping} or the lower-case name without its prefix.
   */
  static String threadState(RecordedEvent e, Map<String, String> cache) {
    try {
      if (!e.hasField("state")) return null;
      Object v = e.getValue("state");
      String raw = v instanceof String str ? str
          : v instanceof RecordedObject o && o.hasField("name") ? o.getString("name") : null;
      if (raw == null) return null;
      return cache.computeIfAbsent(raw, RecordingReader::normalState);
    } catch (RuntimeException ex) {
      return null;
    }
  }

  static String normalState(String raw) {
    String s = raw.startsWith("STATE_") ? raw.substring(6) : raw;
    s = s.toLowerCase(Locale.ROOT);
    return s.equals("runnable") ? "running" : s;
  }

  private static long epochNanos(Instant t) { return t.getEpochSecond() * 1_000_000_000L + t.getNano(); }

  private static long threadId(RecordedThread t) {
    if (t == null) return 0;
    long id = t.getJavaThreadId();
    return id > 0 ? id : t.getOSThreadId();
  }

  private static String threadName(RecordedThread t) {
    if (t == null) return "";
    String n = t.getJavaName();
    if (n == null) n = t.getOSName();
    return n == null ? "" : n;
  }

  private static final Frame[] NO_FRAMES = new Frame[0];

  private static Frame[] stack(RecordedStackTrace trace, Map<Frame, Frame> cache) {
    if (trace == null) return NO_FRAMES;
    List<RecordedFrame> recorded = trace.getFrames();
    Frame[] out = new Frame[recorded.size()];
    for (int i = 0; i < out.length; i++) {
      RecordedFrame f = recorded.get(i);
      RecordedMethod m = f.getMethod();
      String name = m == null ? "[unknown]" : m.getName();
      String cls = m == null || m.getType() == null ? "" : m.getType().getName();
      if (isNative(f)) {
        // A native symbol: async-profiler puts the library in the type; the symbol alone is the frame's name.
        if (name == null || name.isEmpty()) name = cls;
        cls = "";
      }
      int line = Math.max(0, f.getLineNumber());
      // Interned: a recording's samples share Frame objects (less memory, faster encoding).
      Frame frame = new Frame(cls == null ? "" : cls, name == null ? "[unknown]" : name, line);
      Frame known = cache.putIfAbsent(frame, frame);
      out[i] = known == null ? frame : known;
    }
    return out;
  }

  private static boolean isNative(RecordedFrame f) {
    String type = f.getType();
    return "Native".equals(type) || "C++".equals(type) || "Kernel".equals(type);
  }
}
