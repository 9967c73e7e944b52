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

  @Override Path finish(boolean last) {
    Recording r = recording;
    if (r == null) return null;
    Path file = current;
    try {
      // At exit the Flight Recorder's own hook, beside the agent's, writes a running dump-on-exit recording to its
      // destination and then deletes its repository: a stop here raced that deletion. The hook writes it; wait for it.
      // Only the last recording can meet it: a rotation does not ask.
      if (last && exiting()) awaitFlightRecorderShutdownHook();
      if (r.getState() == RecordingState.RUNNING) {
        try {
          r.stop();
        } catch (IllegalStateException stoppedMeanwhile) {
          awaitFlightRecorderShutdownHook();
        }
      }
      // Stopped or closed by someone else (the hook, a SnapStart restore, a jcmd JFR.stop): the file is written.
      if (Files.isRegularFile(file) && Files.size(file) > 0) return file;
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

  /** Whether the JVM runs its shutdown hooks: no hook can be added then. */
  private static boolean exiting() {
    Thread probe = new Thread();
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException shutdownInProgress) {
      return true;
    }
  }

  /**
   * Joins the Flight Recorder's shutdown hook for at most a second, once it is seen: the hooks are started one after
   * another, so it may not be running yet when the agent's gets here (looked for 200 ms).
   */
  private static void awaitFlightRecorderShutdownHook() throws InterruptedException {
    long end = System.nanoTime() + 200_000_000L;
    do {
      // All threads, not the caller's group's: the hook's group is whichever thread started the Flight Recorder's.
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if ("JFR Shutdown Hook".equals(t.getName())) {
          t.join(1000);
          return;
        }
      }
      Thread.sleep(5);
    } while (System.nanoTime() - end < 0);
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
