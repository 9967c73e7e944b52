package dev.ddsls.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * When each end-to-end class starts and ends, and on which worker: {@code target/e2e-timeline.tsv} (epoch ms, start or
 * end, class, thread, then the CPU ms of the test JVM and the processes it has reaped so far: with
 * {@code -De2e.parallelism=1} a class's end minus its start is the CPU it cost, its processes' processes included).
 * Surefire's reports cannot show it: with classes in parallel they file tests under the wrong class, and give no start
 * times. Registered for the e2e execution only (the root pom's extension autodetection).
 */
public final class ClassTimeline implements BeforeAllCallback, AfterAllCallback {
  private static final Path FILE = Path.of("target", "e2e-timeline.tsv");
  private static boolean started; // the first line of a run replaces the last run's file

  @Override public void beforeAll(ExtensionContext c) { write("start", c); }

  @Override public void afterAll(ExtensionContext c) { write("end", c); }

  /** utime, stime, cutime and cstime of /proc/self/stat, in ms (at 100 ticks a second, Linux's USER_HZ); -1 elsewhere. */
  static long cpuMillis() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // Fields 14 to 17 of proc(5), counted from 3 after the command's closing parenthesis.
      return 10 * (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static synchronized void write(String what, ExtensionContext c) {
    String line = System.currentTimeMillis() + "\t" + what + "\t" + c.getRequiredTestClass().getSimpleName() + "\t"
        + Thread.currentThread().getName() + "\t" + cpuMillis() + "\n";
    try {
      if (started) {
        Files.writeString(FILE, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } else {
        Files.writeString(FILE, line);
        started = true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
