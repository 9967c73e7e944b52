package dev.ddsls.agent.sampling;

import java.util.List;

/** A running sampler. Engines record to a file; {@link #rotate} closes it, starts the next, and reads samples back. */
public interface SamplingEngine {
  /** What actually samples, e.g. {@code async-profiler 4.2 (cpu via itimer, wall)}: recorded in every profile. */
  String description();

  /** Short name for tags: {@code async} or {@code jfr}. */
  String kind();

  /**
   * Ends the current recording, starts the next one (with wall-clock sampling only if {@code keepWall}), and
   * returns the finished recording's samples, oldest first. Never throws: on failure returns what it has.
   */
  List<Sample> rotate(boolean keepWall);

  /** Stops sampling and returns the last recording's samples. */
  List<Sample> stop();

  /**
   * As {@link #rotate}, but the next recording samples at the init interval, wall-clock included: SnapStart's
   * restore and the first invocation after it are where a user waits again, as in init.
   */
  default List<Sample> rotateFine() { return rotate(true); }

  /** Whether it samples right now (a SnapStart restore must not have stopped it). */
  default boolean sampling() { return true; }

  /** Starts a new recording when none runs (what the stopped one held is lost); whether it had to. */
  default boolean restartIfStopped() { return false; }
}
