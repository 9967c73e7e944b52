package dev.ddsls.agent;

import java.time.Instant;

/**
 * The agent's clock and the cold start's milestones. Everything is taken with {@link System#nanoTime()} (the
 * clock async-profiler's JFR uses with {@code clock=monotonic}) and turned into epoch time by an offset read once at
 * start and, under SnapStart, read again at the restore: the monotonic clock does not count the time a snapshot
 * waited, so the start's offset would stamp everything after a restore at the snapshot's time (dd-trace-java's issue
 * 11882: spans hours early). Times before the restore keep the first offset, times after it take the second.
 */
public final class Timeline {
  /** The two clocks the timeline reads; tests replace them to make the wall clock jump. */
  interface Clock {
    long epochNanos();

    long nanoTime();
  }

  /** The JVM's clocks. A named class, not a lambda: this runs in premain. */
  static final class SystemClock implements Clock {
    static final SystemClock INSTANCE = new SystemClock();

    @Override public long epochNanos() {
      Instant now = Instant.now();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override public long nanoTime() { return System.nanoTime(); }
  }

  private final Clock clock;
  private final long epochOffset;
  /** The offset read at the SnapStart restore; used for times from {@link #restoreNanos} on. */
  private volatile long restoredEpochOffset;
  /** SnapStart: {@code /restore/next} requested (the snapshot may follow), and answered (a restored copy); 0 before. */
  volatile long checkpointNanos;
  volatile long restoreNanos;
  /** SnapStart: the runtime's first {@code /next} after the restore (its afterRestore hooks done); 0 before. */
  volatile long restoreEndNanos;
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
    this(premainStartNanos, processStartEpochNanos, SystemClock.INSTANCE);
  }

  Timeline(long premainStartNanos, long processStartEpochNanos, Clock clock) {
    this.clock = clock;
    this.epochOffset = offsetNow(clock);
    this.premainStartNanos = premainStartNanos;
    this.processStartEpochNanos = processStartEpochNanos;
  }

  private static long offsetNow(Clock clock) {
    long epoch = clock.epochNanos();
    return epoch - clock.nanoTime();
  }

  /** SnapStart: the runtime asked for {@code /restore/next}; init ends here (its hooks included). */
  void checkpoint(long nanoTime) {
    if (checkpointNanos == 0) checkpointNanos = nanoTime;
    endInit(nanoTime);
  }

  /** SnapStart: a restored copy. Re-reads the wall clock against the monotonic clock, once. */
  void restored(long nanoTime) {
    if (restoreNanos != 0) return;
    restoredEpochOffset = offsetNow(clock);
    restoreNanos = nanoTime;
  }

  /** Marks the end of the restore once: the runtime's first {@code /next} after it (or its restore error). */
  void endRestore(long nanoTime) {
    if (restoreNanos != 0 && restoreEndNanos == 0) restoreEndNanos = nanoTime;
  }

  /** Whether this copy was restored from a snapshot. */
  public boolean isRestored() { return restoreNanos != 0; }

  /** SnapStart: when the restore began, ns since the epoch (the restored clock); 0 when not restored. */
  public long restoreStartEpochNanos() { return restoreNanos == 0 ? 0 : toEpochNanos(restoreNanos); }

  /** SnapStart: {@code /restore/next} returning to the runtime's first {@code /next} (afterRestore hooks), ms; NaN before. */
  public double restoreMs() {
    long start = restoreNanos, end = restoreEndNanos;
    return start == 0 || end == 0 ? Double.NaN : Math.max(0, end - start) / 1e6;
  }

  /** SnapStart: when the snapshot's init ended ({@code /restore/next} requested), ns since the epoch; 0 when none. */
  public long checkpointEpochNanos() { return checkpointNanos == 0 ? 0 : toEpochNanos(checkpointNanos); }

  /** Where the init thread's time went, at the end of init; null before it or where /proc does not tell. */
  public SchedStat.Snapshot initEndSched() { return initEndSched; }

  /** Marks the end of init once: the first {@code /next} (or an init error), with the init thread's counters. */
  public void endInit(long nanoTime) {
    if (initEndNanos != 0) return;
    initEndNanos = nanoTime;
    initEndSched = initThread.read();
  }

  public long toEpochNanos(long nanoTime) {
    long restore = restoreNanos;
    return nanoTime + (restore != 0 && nanoTime - restore >= 0 ? restoredEpochOffset : epochOffset);
  }

  /**
   * A sample's epoch time back to the monotonic clock. A recording fixes its wall-clock anchor when it begins (a JFR
   * chunk's start time and ticks), so its samples convert with the offset that held then, even those taken after a
   * restore.
   */
  long toNanoTime(long epochNanos, long recordingStartNanos) {
    long restore = restoreNanos;
    return epochNanos - (restore != 0 && recordingStartNanos - restore >= 0 ? restoredEpochOffset : epochOffset);
  }

  /** {@code jvm}: process start to premain, ms; NaN when the process start is unknown. */
  public double jvmMs() {
    if (processStartEpochNanos <= 0) return Double.NaN;
    return Math.max(0, toEpochNanos(premainStartNanos) - processStartEpochNanos) / 1e6;
  }

  /** When init began, ns since the epoch: the process start when known, else premain's. */
  public long initStartEpochNanos() {
    return processStartEpochNanos > 0 ? processStartEpochNanos : toEpochNanos(premainStartNanos);
  }

  public double agentMs() { return (premainEndNanos - premainStartNanos) / 1e6; }

  public double runtimeInitMs() { return initEndNanos == 0 ? Double.NaN : (initEndNanos - premainEndNanos) / 1e6; }

  /** Init duration as ddsls measures it: {@code jvm + agent + runtimeInit}. */
  public double initMs() {
    double jvm = jvmMs();
    return (Double.isNaN(jvm) ? 0 : jvm) + agentMs() + runtimeInitMs();
  }
}
