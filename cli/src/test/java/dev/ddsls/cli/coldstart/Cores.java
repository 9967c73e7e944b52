package dev.ddsls.cli.coldstart;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The CPUs this JVM may use, for tests that hold their processes to one with {@code taskset}: a core lent to one test
 * at a time, so that tests side by side each measure on a core of their own, and the last core for a hog, away from
 * the first, where {@code coldstart --cpu-limit} puts a function.
 */
public final class Cores {
  private static final List<Integer> ALLOWED = CpuLimit.allowedCpus();
  private static final Deque<Integer> FREE = new ArrayDeque<>(ALLOWED);

  private Cores() {}

  /** The last CPU this JVM may use, as taskset names it, or null where /proc does not say. */
  public static String last() { return ALLOWED.isEmpty() ? null : Integer.toString(ALLOWED.get(ALLOWED.size() - 1)); }

  /** A core of its own to one test until closed; its holder waits while every core is lent. */
  public static final class Lease implements AutoCloseable {
    private final Integer cpu;

    private Lease(Integer cpu) { this.cpu = cpu; }

    /** The core, as taskset names it, or null where /proc does not say (then nothing is held to a core). */
    public String cpu() { return cpu == null ? null : cpu.toString(); }

    @Override public void close() {
      if (cpu == null) return;
      synchronized (FREE) {
        FREE.addLast(cpu);
        FREE.notifyAll();
      }
    }
  }

  public static Lease lease() throws InterruptedException {
    if (ALLOWED.isEmpty()) return new Lease(null);
    synchronized (FREE) {
      while (FREE.isEmpty()) FREE.wait();
      return new Lease(FREE.removeFirst());
    }
  }
}
