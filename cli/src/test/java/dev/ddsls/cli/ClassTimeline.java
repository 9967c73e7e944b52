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
 * end, class, thread). Surefire's reports cannot show it: with classes in parallel they file tests under the wrong
 * class, and give no start times. Registered for the e2e execution only (the root pom's extension autodetection).
 */
public final class ClassTimeline implements BeforeAllCallback, AfterAllCallback {
  private static final Path FILE = Path.of("target", "e2e-timeline.tsv");
  private static boolean started; // the first line of a run replaces the last run's file

  @Override public void beforeAll(ExtensionContext c) { write("start", c); }

  @Override public void afterAll(ExtensionContext c) { write("end", c); }

  private static synchronized void write(String what, ExtensionContext c) {
    String line = System.currentTimeMillis() + "\t" + what + "\t" + c.getRequiredTestClass().getSimpleName() + "\t"
        + Thread.currentThread().getName() + "\n";
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
