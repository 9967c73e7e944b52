package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import java.nio.file.Files;
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
  private Path current;
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

  /**
   * The recording is written to its file when it stops, whoever stops it: the agent, a SnapStart restore, or at exit
   * the Flight Recorder's own shutdown hook, which runs beside the agent's, writes the recordings marked dump-on-exit
   * and then deletes its repository; one the agent had yet to dump was lost with it.
   */
  @Override void begin(boolean wall) throws Exception {
    Recording r = new Recording();
    r.setName("ddsls");
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofNanos(recordingIntervalNanos));
    r.setToDisk(true);
    Path file = dir.resolve(fileName(++sequence));
    r.setDestination(file);
    r.setDumpOnExit(true);
    r.start();
    recording = r;
    current = file;
  }

  @Override public String kind() { return "jfr"; }

  @Override public String description() {
    return "JDK Flight Recorder " + System.getProperty("java.vm.version", "") + " (jdk.ExecutionSample)";
  }

  @Override Path finish() {
    Recording r = recording;
    if (r == null) return null;
    Path file = current;
    try {
      try {
        r.stop();
      } catch (IllegalStateException stoppedAlready) {
        // Stopped by someone else, who wrote the file: at exit the Flight Recorder's hook, still writing it.
        awaitFlightRecorderShutdownHook();
      }
      if (Files.size(file) > 0) return file;
      Files.deleteIfExists(file);
      return null;
    } catch (Throwable t) {
      try {
        Files.deleteIfExists(file); // begun, and nobody's to read
      } catch (Exception ignored) {
        // /tmp is cleaned with the sandbox
      }
      AgentLog.once("jfr-dump", "JFR recording could not be written: " + AgentLog.describe(t));
      return null;
    } finally {
      r.close();
    }
  }

  /** Joins the Flight Recorder's shutdown hook, when it runs, for at most a second. */
  private static void awaitFlightRecorderShutdownHook() throws InterruptedException {
    // All threads, not the caller's group's: the hook's group is whichever thread started the Flight Recorder's.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if ("JFR Shutdown Hook".equals(t.getName())) t.join(1000);
    }
  }

  @Override void clear() {
    recording = null;
    current = null;
  }

  @Override boolean recording() {
    Recording r = recording;
    return r != null && r.getState() == RecordingState.RUNNING;
  }
}
