package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/**
 * An engine that records to a JFR file: {@link #rotate} finishes the file, starts the next one and reads the
 * finished file's samples back; the file is deleted once read.
 */
abstract class RecordingEngine implements SamplingEngine {
  final Path dir;
  final long intervalNanos;
  final RecordingReader reader = new RecordingReader();

  RecordingEngine(Path dir, long intervalNanos) {
    this.dir = dir;
    this.intervalNanos = intervalNanos;
  }

  /** Starts a new recording. */
  abstract void begin(boolean wall) throws Exception;

  /** Ends the current recording and returns its file, or null when there is none. */
  abstract Path finish();

  /** Forgets the current recording after {@link #finish} (stopped for good, or the restart failed). */
  abstract void clear();

  @Override public final synchronized List<Sample> rotate(boolean keepWall) {
    Path finished = finish();
    try {
      begin(keepWall);
    } catch (Throwable t) {
      clear();
      AgentLog.once("engine-restart", kind() + " sampling could not restart (" + AgentLog.describe(t) + "); sampling stopped");
    }
    return read(finished);
  }

  @Override public final synchronized List<Sample> stop() {
    Path finished = finish();
    clear();
    return read(finished);
  }

  private List<Sample> read(Path file) {
    if (file == null) return Collections.emptyList();
    List<Sample> samples = reader.read(file, intervalNanos);
    afterRead();
    try {
      Files.deleteIfExists(file);
    } catch (Exception ignored) {
      // /tmp is cleaned with the sandbox
    }
    return samples;
  }

  /** Hook after a recording was read (e.g. to learn what the recording says about the engine). */
  void afterRead() {}

  String fileName(int sequence) { return "ddsls-" + ProcessHandle.current().pid() + "-" + kind() + "-" + sequence + ".jfr"; }
}
