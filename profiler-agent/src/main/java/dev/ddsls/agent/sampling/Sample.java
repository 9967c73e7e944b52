package dev.ddsls.agent.sampling;

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

  public Sample(Kind kind, long epochNanos, long threadId, String threadName, Frame[] stack, long weightNanos) {
    this.kind = kind;
    this.epochNanos = epochNanos;
    this.threadId = threadId;
    this.threadName = threadName;
    this.stack = stack;
    this.weightNanos = weightNanos;
  }
}
