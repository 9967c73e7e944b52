package dev.ddsls.agent.sampling;

import dev.ddsls.formats.pprof.Frame;

/** One sample read back from the engine's recording: when, on which thread, which stack, CPU or wall-clock. */
public final class Sample {
  public enum Kind { CPU, WALL }

  public final Kind kind;
  /** Wall-clock time of the sample, nanoseconds since the epoch. */
  public final long epochNanos;
  public final long threadId;
  public final String threadName;
  /** Leaf first. */
  public final Frame[] stack;
  /** The time this sample stands for (the sampling interval). */
  public final long weightNanos;
  /**
   * Of a wall-clock sample: {@code running} (state R: on a CPU or runnable on a run queue, which is how CPU
   * starvation shows), {@code sleeping} (blocked in the kernel), another lower-case state name, or null when unknown.
   */
  public final String threadState;

  public Sample(Kind kind, long epochNanos, long threadId, String threadName, Frame[] stack, long weightNanos) {
    this(kind, epochNanos, threadId, threadName, stack, weightNanos, null);
  }

  public Sample(Kind kind, long epochNanos, long threadId, String threadName, Frame[] stack, long weightNanos, String threadState) {
    this.kind = kind;
    this.epochNanos = epochNanos;
    this.threadId = threadId;
    this.threadName = threadName;
    this.stack = stack;
    this.weightNanos = weightNanos;
    this.threadState = threadState;
  }
}
