package dev.ddsls.agent.sampling;

import dev.ddsls.formats.pprof.Frame;

/**
 * One sample read back from the engine's recording: when, on which thread, which stack, CPU or wall-clock.
 *
 * @param epochNanos wall-clock time of the sample, nanoseconds since the epoch
 * @param stack leaf first
 * @param weightNanos the time this sample stands for (the sampling interval)
 * @param threadState of a wall-clock sample: {@code running} (state R: on a CPU or runnable on a run queue, which is
 *     how CPU starvation shows), {@code sleeping} (blocked in the kernel), another lower-case state name, or null when
 *     unknown
 */
public record Sample(Kind kind, long epochNanos, long threadId, String threadName, Frame[] stack, long weightNanos,
                     String threadState) {
  public enum Kind { CPU, WALL }

  public Sample(Kind kind, long epochNanos, long threadId, String threadName, Frame[] stack, long weightNanos) {
    this(kind, epochNanos, threadId, threadName, stack, weightNanos, null);
  }
}
