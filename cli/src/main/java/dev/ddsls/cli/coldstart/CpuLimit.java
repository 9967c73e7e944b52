package dev.ddsls.cli.coldstart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lambda's CPU share for a memory size, imposed on the function's JVM as far as this machine allows. Lambda gives
 * CPU in proportion to memory, 1,769 MB = 1 vCPU (up to 6 vCPUs at 10,240 MB). Three mechanisms, each tried and
 * reported: {@code -XX:ActiveProcessorCount} (what the JVM sizes its thread pools and GC by), {@code taskset} (which
 * CPUs the process may run on), and a cgroup CPU quota (how much CPU time per period, the fractional part Lambda
 * also enforces). What did not apply is said, with the reason, never silently skipped.
 */
final class CpuLimit implements AutoCloseable {
  static final double MB_PER_VCPU = 1769.0;
  private static final long PERIOD_US = 100_000;
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  final double vcpus;
  final int processors;
  final List<String> applied = new ArrayList<>();
  final List<String> notApplied = new ArrayList<>();
  private final List<String> prefix = new ArrayList<>();
  private Path cgroup;

  private CpuLimit(int memoryMb) {
    this.vcpus = memoryMb / MB_PER_VCPU;
    this.processors = Math.max(1, (int) Math.ceil(vcpus));
  }

  /** Works out and sets up the limit for a memory size; {@link #close} removes the cgroup it created. */
  static CpuLimit forMemory(int memoryMb) {
    CpuLimit l = new CpuLimit(memoryMb);
    l.applied.add("-XX:ActiveProcessorCount=" + l.processors);
    l.setUpTaskset();
    l.setUpCgroup();
    return l;
  }

  /** JVM arguments to add. */
  List<String> jvmArgs() { return List.of("-XX:ActiveProcessorCount=" + processors); }

  /** Commands to put in front of the function's command line (taskset, the cgroup joiner); may be empty. */
  List<String> commandPrefix() { return List.copyOf(prefix); }

  private void setUpTaskset() {
    List<Integer> allowed = allowedCpus();
    if (allowed.isEmpty()) {
      notApplied.add("taskset: cannot read the CPUs this process may use (/proc/self/status)");
      return;
    }
    if (allowed.size() <= processors) {
      notApplied.add("taskset: not needed, this machine offers " + allowed.size() + " CPU(s) <= " + processors);
      return;
    }
    Path taskset = onPath("taskset");
    if (taskset == null) {
      notApplied.add("taskset: not on the PATH (util-linux)");
      return;
    }
    StringBuilder cpus = new StringBuilder();
    for (int i = 0; i < processors; i++) cpus.append(i == 0 ? "" : ",").append(allowed.get(i));
    prefix.add(taskset.toString());
    prefix.add("-c");
    prefix.add(cpus.toString());
    applied.add("taskset -c " + cpus);
  }

  /**
   * A cgroup of our own with a CPU quota of vcpus x period: cgroup v2 {@code cpu.max} or v1 {@code cpu.cfs_quota_us},
   * as a child of the cgroup ddsls runs in. The function joins it by a shell that writes its own pid to the cgroup
   * and then execs the command, so the JVM is limited from its first instruction.
   */
  private void setUpCgroup() {
    long quota = Math.round(vcpus * PERIOD_US);
    boolean v2 = Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"));
    Path parent = v2 ? CGROUP_ROOT.resolve(ownCgroup("0::")) : CGROUP_ROOT.resolve("cpu").resolve(ownCgroup("cpu"));
    Path dir = parent.resolve("ddsls-coldstart-" + ProcessHandle.current().pid());
    String what = v2 ? "cgroup v2 cpu.max " + quota + " " + PERIOD_US
        : "cgroup v1 cpu.cfs_quota_us=" + quota + " cpu.cfs_period_us=" + PERIOD_US;
    try {
      Files.createDirectory(dir);
      cgroup = dir;
      if (v2) {
        Files.writeString(dir.resolve("cpu.max"), quota + " " + PERIOD_US, StandardCharsets.US_ASCII);
      } else {
        Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota), StandardCharsets.US_ASCII);
      }
    } catch (IOException | RuntimeException e) {
      notApplied.add(what + ": cannot set up " + dir + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
      close();
      return;
    }
    prefix.add(0, "/bin/sh");
    prefix.add(1, "-c");
    prefix.add(2, "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"");
    prefix.add(3, dir.toString());
    applied.add(what + " (" + dir + ")");
  }

  /** Removes the cgroup once no process is left in it. */
  @Override
  public void close() {
    if (cgroup == null) return;
    try {
      Files.deleteIfExists(cgroup);
    } catch (IOException | RuntimeException e) {
      // A cgroup directory holds no files that can be deleted; rmdir fails only while a process is still inside.
      System.err.println("ddsls: could not remove " + cgroup + " (" + e.getMessage() + ")");
    }
    cgroup = null;
  }

  /** The path of this process's cgroup for a hierarchy ("0::" for v2, a controller name for v1), relative. */
  private static String ownCgroup(String hierarchy) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
        String[] f = line.split(":", 3);
        if (f.length < 3) continue;
        boolean match = hierarchy.equals("0::") ? f[0].equals("0") && f[1].isEmpty() : List.of(f[1].split(",")).contains(hierarchy);
        if (match) return f[2].startsWith("/") ? f[2].substring(1) : f[2];
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup information: try the hierarchy's root
    }
    return "";
  }

  /** The CPUs in Cpus_allowed_list of /proc/self/status (e.g. "0-3,6"), in order. */
  static List<Integer> allowedCpus() {
    List<Integer> cpus = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (!line.startsWith("Cpus_allowed_list:")) continue;
        for (String part : line.substring(line.indexOf(':') + 1).trim().split(",")) {
          if (part.isEmpty()) continue;
          int dash = part.indexOf('-');
          int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
          int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
          for (int c = from; c <= to; c++) cpus.add(c);
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return cpus;
  }

  private static Path onPath(String exe) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, exe);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  String vcpusText() { return String.format(Locale.ROOT, "%.3f", vcpus); }
}
