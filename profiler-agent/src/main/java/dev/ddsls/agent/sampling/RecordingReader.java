package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import dev.ddsls.formats.jfr.JfrParser;
import dev.ddsls.formats.pprof.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads execution samples from a JFR file written by async-profiler or by the JDK's Flight Recorder, with the
 * project's own JFR parser (the formats module). Only runs at flush time, after the response has gone out. Not the
 * JDK's {@code jdk.jfr.consumer}: in the cold start's first flush, whose time the runtime's {@code /next} waits for,
 * that reader's first use took 55-65 ms for a recording of a hundred samples (docs/benchmarks.md).
 */
final class RecordingReader {
  /** Memory bound: samples kept from one recording (10 ms interval: about 33 minutes of one busy thread). */
  static final int MAX_SAMPLES = 200_000;
  /** Memory bound: a recording is read whole; one larger than this (far beyond MAX_SAMPLES' worth) is not read. */
  static final long MAX_FILE_BYTES = 256L << 20;

  String engineSetting;
  long dropped;

  List<Sample> read(Path file, long intervalNanos) {
    List<Sample> out = new ArrayList<>();
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        AgentLog.once("read-recording", "the recording " + file.getFileName() + " has " + (size >> 20) + " MiB, over the "
            + (MAX_FILE_BYTES >> 20) + " MiB read at once; its samples are lost");
        return out;
      }
      JfrParser.parse(Files.readAllBytes(file), new Collector(out, intervalNanos));
    } catch (Throwable t) {
      AgentLog.once("read-recording", "could not read the recording " + file.getFileName() + " (" + AgentLog.describe(t) + "); its samples are lost");
    }
    return out;
  }

  /** Turns the parser's events into samples: frames and thread names resolved once per stack and thread. */
  private final class Collector implements JfrParser.Sink {
    private final List<Sample> out;
    private final long intervalNanos;
    /** Interned across chunks: a recording's samples share Frame objects (less memory, faster encoding). */
    private final Map<Frame, Frame> frames = new HashMap<>();
    private final Map<String, String> states = new HashMap<>();

    Collector(List<Sample> out, long intervalNanos) {
      this.out = out;
      this.intervalNanos = intervalNanos;
    }

    @Override public void sample(JfrParser.SampleEvent e) {
      // The agent's engines write the JDK's cpu samples and async-profiler's wall samples, nothing else it weighs.
      boolean cpu = "jdk.ExecutionSample".equals(e.eventType);
      if (!cpu && !"profiler.WallClockSample".equals(e.eventType)) return;
      if (out.size() >= MAX_SAMPLES) {
        dropped++;
        return;
      }
      JfrParser.JfrThread t = e.thread;
      long threadId = t == null ? 0 : t.javaThreadId > 0 ? t.javaThreadId : t.osThreadId;
      String threadName = t == null ? "" : t.javaName != null ? t.javaName : t.osName != null ? t.osName : "";
      String state = cpu || e.threadState == null ? null : states.computeIfAbsent(e.threadState, RecordingReader::normalState);
      out.add(new Sample(cpu ? Sample.Kind.CPU : Sample.Kind.WALL, e.epochNanos, threadId, threadName, stack(e.stack),
          intervalNanos * e.weight, state));
    }

    @Override public void setting(String eventType, String name, String value) {
      if ("engine".equals(name)) engineSetting = value;
    }

    private Frame[] stack(JfrParser.Stack s) {
      if (s.attachment instanceof Frame[]) return (Frame[]) s.attachment;
      Frame[] stack = new Frame[s.methodNames.length];
      for (int i = 0; i < stack.length; i++) {
        String cls = s.classNames[i], name = s.methodNames[i];
        if (isNative(s.frameTypes[i])) {
          // A native symbol: async-profiler puts the library in the type; the symbol alone is the frame's name.
          if (name.isEmpty()) name = cls;
          cls = "";
        }
        Frame frame = new Frame(cls, name.isEmpty() ? "[unknown]" : name, (int) Math.max(0, Math.min(Integer.MAX_VALUE, s.lines[i])));
        Frame known = frames.putIfAbsent(frame, frame);
        stack[i] = known == null ? frame : known;
      }
      s.attachment = stack;
      return stack;
    }
  }

  private static boolean isNative(String frameType) {
    return "Native".equals(frameType) || "C++".equals(frameType) || "Kernel".equals(frameType);
  }

  /**
   * The {@code state} of an async-profiler wall-clock sample ({@code jdk.types.ThreadState}: {@code STATE_RUNNABLE},
   * {@code STATE_SLEEPING}, ...), as {@code running}, {@code sleeping} or the lower-case name without its prefix.
   */
  static String normalState(String raw) {
    String s = raw.startsWith("STATE_") ? raw.substring(6) : raw;
    s = s.toLowerCase(Locale.ROOT);
    return s.equals("runnable") ? "running" : s;
  }
}
