package dev.ddsls.agent;

import java.time.Instant;

/**
 * The agent's clock and the cold start's milestones. Everything is taken with {@link System#nanoTime()} (the
 * clock async-profiler's JFR uses with {@code clock=monotonic}) and turned into epoch time by one offset.
 */
public final class Timeline {
  private final long epochOffset;
  /** Process start in epoch ns: the exec wrapper's stamp when present, else the OS's start time. */
  final long processStartEpochNanos;
  final long premainStartNanos;
  volatile long premainEndNanos;
  /** First {@code /invocation/next}: the end of init. 0 until then. */
  volatile long initEndNanos;
  /** The init thread's kernel counters at the end of init (null until then, or without a Runtime API). */
  volatile SchedStat.Snapshot initEndSched;
  private final SchedStat initThread = SchedStat.ofCurrentThread();

  Timeline(long premainStartNanos, long processStartEpochNanos) {
    Instant now = Instant.now();
    long nano = System.nanoTime();
    this.epochOffset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - nano;
    this.premainStartNanos = premainStartNanos;
    this.processStartEpochNanos = processStartEpochNanos;
  }

  /** Where the init thread's time went, at the end of init; null before it or where /proc does not tell. */
  public SchedStat.Snapshot initEndSched() { return initEndSched; }

  /** Marks the end of init once: the first {@code /next} (or an init error), with the init thread's counters. */
  public void endInit(long nanoTime) {
    if (initEndNanos != 0) return;
    initEndNanos = nanoTime;
    initEndSched = initThread.read();
  }

  public long toEpochNanos(long nanoTime) { return nanoTime + epochOffset; }

  public long toNanoTime(long epochNanos) { return epochNanos - epochOffset; }

  /** {@code jvm}: process start to premain, ms; NaN when the process start is unknown. */
  public double jvmMs() {
    if (processStartEpochNanos <= 0) return Double.NaN;
    return Math.max(0, toEpochNanos(premainStartNanos) - processStartEpochNanos) / 1e6;
  }

  public double agentMs() { return (premainEndNanos - premainStartNanos) / 1e6; }

  public double runtimeInitMs() { return initEndNanos == 0 ? Double.NaN : (initEndNanos - premainEndNanos) / 1e6; }

  /** Init duration as ddsls measures it: {@code jvm + agent + runtimeInit}. */
  public double initMs() {
    double jvm = jvmMs();
    return (Double.isNaN(jvm) ? 0 : jvm) + agentMs() + runtimeInitMs();
  }
}
