package dev.ddsls.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What the kernel knows about the init thread's time: its {@code schedstat} (nanoseconds on a CPU, nanoseconds
 * runnable on a run queue) and the cgroup's CPU throttling ({@code cpu.stat}). Wall minus CPU cannot tell a thread
 * that waited for I/O from one that was runnable but had no CPU (Lambda's CPU share, a busy host); these counters can.
 * Read when present, never required: every value is NaN when the file is missing or unreadable.
 */
public final class SchedStat {
  /** One reading. Times in milliseconds; NaN when unknown. */
  public record Snapshot(double threadCpuMs, double threadRunQueueMs, double cgroupThrottledMs) {}

  private final String threadFile;

  private SchedStat(String threadFile) { this.threadFile = threadFile; }

  /**
   * For the calling thread (premain runs on the thread that goes on to run init). {@code /proc/thread-self} names
   * this thread's task directory; java.io resolves it without loading NIO's file system classes.
   */
  static SchedStat ofCurrentThread() {
    try {
      String task = new File("/proc/thread-self").getCanonicalPath();
      return new SchedStat(task.startsWith("/proc/") ? task + "/schedstat" : null);
    } catch (IOException | SecurityException e) {
      return new SchedStat(null);
    }
  }

  /** Reads the counters now (a few small /proc and /sys reads, tens of microseconds). */
  public Snapshot read() {
    double cpu = Double.NaN, queue = Double.NaN;
    String sched = threadFile == null ? null : readSmall(threadFile);
    if (sched != null) {
      String[] f = sched.trim().split(" ");
      if (f.length >= 2) {
        cpu = parse(f[0]) / 1e6;
        queue = parse(f[1]) / 1e6;
      }
    }
    return new Snapshot(cpu, queue, cgroupThrottledMs());
  }

  /** cgroup v2 {@code throttled_usec}, else v1 {@code throttled_time} (ns), of this process's cgroup. */
  static double cgroupThrottledMs() {
    String groups = readSmall("/proc/self/cgroup");
    if (groups == null) return Double.NaN;
    for (String line : groups.split("\n")) {
      int a = line.indexOf(':'), b = line.indexOf(':', a + 1);
      if (a < 0 || b < 0) continue;
      String controllers = line.substring(a + 1, b), path = line.substring(b + 1);
      if (controllers.isEmpty()) {
        double us = field(readSmall("/sys/fs/cgroup" + path + "/cpu.stat"), "throttled_usec");
        if (!Double.isNaN(us)) return us / 1e3;
      } else if ((',' + controllers + ',').contains(",cpu,")) {
        double ns = field(readSmall("/sys/fs/cgroup/" + controllers + path + "/cpu.stat"), "throttled_time");
        if (!Double.isNaN(ns)) return ns / 1e6;
      }
    }
    return Double.NaN;
  }

  private static double field(String stat, String name) {
    if (stat == null) return Double.NaN;
    for (String line : stat.split("\n")) {
      if (line.startsWith(name + " ")) return parse(line.substring(name.length() + 1).trim());
    }
    return Double.NaN;
  }

  private static double parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** A small proc/sys file, or null. */
  private static String readSmall(String path) {
    try (FileInputStream in = new FileInputStream(path)) {
      byte[] buf = new byte[4096];
      int n = 0, r;
      while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) n += r;
      return new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
