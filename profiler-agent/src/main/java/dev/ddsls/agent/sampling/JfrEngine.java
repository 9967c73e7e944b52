package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import jdk.jfr.Recording;

/**
 * The JDK Flight Recorder's {@code jdk.ExecutionSample}: the fallback where async-profiler's library cannot load.
 * CPU samples of Java threads only; no wall-clock samples.
 */
public final class JfrEngine implements SamplingEngine {
  private final Path dir;
  private final long intervalNanos;
  private final RecordingReader reader = new RecordingReader();
  private Recording recording;
  private int sequence;

  private JfrEngine(Path dir, long intervalNanos) {
    this.dir = dir;
    this.intervalNanos = intervalNanos;
  }

  public static JfrEngine start(Path dir, long intervalNanos) {
    JfrEngine engine = new JfrEngine(dir, intervalNanos);
    engine.begin();
    return engine;
  }

  private void begin() {
    Recording r = new Recording();
    r.setName("ddsls");
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofNanos(Math.max(1_000_000L, intervalNanos)));
    r.setToDisk(true);
    r.start();
    recording = r;
  }

  @Override public String kind() { return "jfr"; }

  @Override public String description() {
    return "JDK Flight Recorder " + System.getProperty("java.vm.version", "") + " (jdk.ExecutionSample)";
  }

  @Override public synchronized List<Sample> rotate(boolean keepWall) {
    Path finished = finish();
    try {
      begin();
    } catch (Throwable t) {
      recording = null;
      AgentLog.once("jfr-restart", "JFR could not restart (" + AgentLog.describe(t) + "); sampling stopped");
    }
    return read(finished);
  }

  @Override public synchronized List<Sample> stop() {
    Path finished = finish();
    recording = null;
    return read(finished);
  }

  private Path finish() {
    Recording r = recording;
    if (r == null) return null;
    Path file = dir.resolve("ddsls-" + ProcessHandle.current().pid() + "-jfr-" + (++sequence) + ".jfr");
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

  private List<Sample> read(Path file) {
    if (file == null) return Collections.emptyList();
    List<Sample> samples = reader.read(file, Math.max(1_000_000L, intervalNanos));
    try {
      Files.deleteIfExists(file);
    } catch (Exception ignored) {
      // /tmp is cleaned with the sandbox
    }
    return samples;
  }
}
