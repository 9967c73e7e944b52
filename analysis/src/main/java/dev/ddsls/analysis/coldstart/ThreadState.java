package dev.ddsls.analysis.coldstart;

import java.util.Locale;

/**
 * The {@code thread state} label of a wall-clock sample: the agent's {@code running} / {@code sleeping}, and the
 * spellings of async-profiler and JFR. Running is the kernel's state R: on a CPU or waiting for one (run queue,
 * cgroup CPU quota), so running wall time without a CPU sample is CPU contention, not waiting.
 */
enum ThreadState {
  RUNNING, BLOCKED, UNKNOWN;

  static final String LABEL = "thread state";

  static ThreadState of(String label) {
    if (label == null || label.isBlank()) return UNKNOWN;
    String s = label.trim().toUpperCase(Locale.ROOT);
    if (s.startsWith("STATE_")) s = s.substring("STATE_".length());
    return switch (s) {
      case "RUNNING", "RUNNABLE", "R" -> RUNNING;
      case "SLEEPING", "WAITING", "TIMED_WAITING", "BLOCKED", "PARKED", "IO", "S", "D", "DISK_SLEEP", "CONTENDED",
           "MONITOR", "IDLE" -> BLOCKED;
      default -> UNKNOWN;
    };
  }
}
