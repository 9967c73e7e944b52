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
  private final long steadyIntervalNanos;
  private final long initIntervalNanos;
  /** The current recording's sampling interval, which {@link #begin} starts it at and its samples weigh each. */
  long recordingIntervalNanos;
  final RecordingReader reader = new RecordingReader();

  /**
   * @param initIntervalNanos the interval of the first recording (init and the cold invocation, where a user waits
   *     and a 10 ms interval gives only tens of samples)
   * @param steadyIntervalNanos the interval from the first rotation on
   */
  RecordingEngine(Path dir, long initIntervalNanos, long steadyIntervalNanos) {
    this.dir = dir;
    this.initIntervalNanos = initIntervalNanos;
    this.steadyIntervalNanos = steadyIntervalNanos;
  }

  /** Starts a recording at {@code intervalNanos}, remembering it to weigh that recording's samples. */
  private void beginRecording(boolean wall, long intervalNanos) throws Exception {
    recordingIntervalNanos = intervalNanos;
    begin(wall);
  }

  /** The first recording: at the fine init interval. */
  final void start(boolean wall) throws Exception { beginRecording(wall, initIntervalNanos); }

  /** Starts a new recording at {@link #recordingIntervalNanos}. */
  abstract void begin(boolean wall) throws Exception;

  /**
   * Ends the current recording and returns its file, or null when there is none. {@code last}: no recording follows
   * (the agent's last flush, the one at exit among them).
   */
  abstract Path finish(boolean last);

  /** Forgets the current recording after {@link #finish} (stopped for good, or the restart failed). */
  abstract void clear();

  @Override public final synchronized List<Sample> rotate(boolean keepWall) {
    long recorded = recordingIntervalNanos;
    long from = System.nanoTime();
    Path finished = finish(false);
    long finishedAt = System.nanoTime();
    try {
      beginRecording(keepWall, steadyIntervalNanos);
    } catch (Throwable t) {
      clear();
      AgentLog.once("engine-restart", kind() + " sampling could not restart (" + AgentLog.describe(t) + "); sampling stopped");
    }
    long begun = System.nanoTime();
    List<Sample> samples = read(finished, recorded);
    AgentLog.debug("recording rotated: stopped in " + (finishedAt - from) / 100_000 / 10.0 + " ms, restarted in "
        + (begun - finishedAt) / 100_000 / 10.0 + " ms, read in " + (System.nanoTime() - begun) / 100_000 / 10.0 + " ms");
    return samples;
  }

  @Override public final synchronized List<Sample> rotateFine() {
    long recorded = recordingIntervalNanos;
    Path finished = finish(false);
    try {
      beginRecording(true, initIntervalNanos);
    } catch (Throwable t) {
      clear();
      AgentLog.once("engine-restart", kind() + " sampling could not restart (" + AgentLog.describe(t) + "); sampling stopped");
    }
    return read(finished, recorded);
  }

  @Override public final synchronized boolean sampling() {
    try {
      return recording();
    } catch (Throwable t) {
      return false;
    }
  }

  @Override public final synchronized boolean restartIfStopped() {
    if (sampling()) return false;
    Path dead = finish(false);
    clear();
    try {
      // At the fine interval, as the recording begun at the checkpoint would have gone on: the restore's hooks and its
      // first invocation are waited for, like init.
      beginRecording(true, initIntervalNanos);
      AgentLog.info(kind() + " sampling had stopped after the SnapStart restore; restarted");
    } catch (Throwable t) {
      AgentLog.once("engine-restart", kind() + " sampling had stopped after the SnapStart restore and could not restart ("
          + AgentLog.describe(t) + "); spans only");
    }
    if (dead != null) {
      try {
        Files.deleteIfExists(dead);
      } catch (Exception ignored) {
        // /tmp is cleaned with the sandbox
      }
    }
    return true;
  }

  /** Whether the current recording is running. */
  abstract boolean recording() throws Exception;

  @Override public final synchronized List<Sample> stop() {
    long recorded = recordingIntervalNanos;
    Path finished = finish(true);
    clear();
    return read(finished, recorded);
  }

  private List<Sample> read(Path file, long recordedIntervalNanos) {
    if (file == null) return Collections.emptyList();
    List<Sample> samples = reader.read(file, recordedIntervalNanos);
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
