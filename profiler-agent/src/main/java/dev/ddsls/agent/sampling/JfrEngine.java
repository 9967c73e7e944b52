package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The JDK Flight Recorder's {@code jdk.ExecutionSample}: the fallback where async-profiler's library cannot load.
 * CPU samples of Java threads only; no wall-clock samples.
 */
public final class JfrEngine extends RecordingEngine {
  private Recording recording;
  private int sequence;

  private JfrEngine(Path dir, long initIntervalNanos, long intervalNanos) {
    // JFR samples at most every millisecond
    super(dir, Math.max(1_000_000L, initIntervalNanos), Math.max(1_000_000L, intervalNanos));
  }

  public static JfrEngine start(Path dir, long initIntervalNanos, long intervalNanos) throws Exception {
    JfrEngine engine = new JfrEngine(dir, initIntervalNanos, intervalNanos);
    engine.start(false);
    return engine;
  }

  @Override void begin(boolean wall) {
    Recording r = new Recording();
    r.setName("ddsls");
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofNanos(recordingIntervalNanos));
    r.setToDisk(true);
    r.start();
    recording = r;
  }

  @Override public String kind() { return "jfr"; }

  @Override public String description() {
    return "JDK Flight Recorder " + System.getProperty("java.vm.version", "") + " (jdk.ExecutionSample)";
  }

  @Override Path finish() {
    Recording r = recording;
    if (r == null) return null;
    Path file = dir.resolve(fileName(++sequence));
    try {
      r.stop();
      r.dump(file);
      return file;
    } catch (Throwable t) {
      AgentLog.once("jfr-dump", "JFR dump failed: " + AgentLog.describe(t));
      return null;
    } finally {
      r.close();
    }
  }

  @Override void clear() { recording = null; }

  @Override boolean recording() {
    Recording r = recording;
    return r != null && r.getState() == RecordingState.RUNNING;
  }
}
