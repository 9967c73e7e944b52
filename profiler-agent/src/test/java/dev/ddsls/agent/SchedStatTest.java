package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SchedStatTest {
  @Test
  void readsTheCallingThreadsCpuAndRunQueueTimeFromTheKernel() {
    SchedStat.Snapshot before = SchedStat.ofCurrentThread().read();
    long x = 0;
    for (long deadline = System.nanoTime() + 50_000_000L; System.nanoTime() < deadline; ) x += System.nanoTime() % 7;
    SchedStat.Snapshot after = SchedStat.ofCurrentThread().read();
    assertFalse(Double.isNaN(after.threadCpuMs()), "no /proc/thread-self/schedstat on this machine");
    // 50 ms of spinning is at least 20 ms on a CPU, however busy the machine (the rest is run-queue time).
    assertTrue(after.threadCpuMs() - before.threadCpuMs() + after.threadRunQueueMs() - before.threadRunQueueMs() >= 40,
        before + " -> " + after + " " + x);
    // The kernel's running totals: never below zero, never smaller than a reading before.
    assertTrue(before.threadRunQueueMs() >= 0 && after.threadRunQueueMs() >= before.threadRunQueueMs(), before + " -> " + after);
    assertTrue(after.threadCpuMs() > before.threadCpuMs(), before + " -> " + after);
  }
}
