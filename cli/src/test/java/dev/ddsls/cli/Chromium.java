package dev.ddsls.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, for tests of the HTML reports: the DOM after the page's scripts ran.
 * scripts/install-test-tools installs it; a missing browser fails the test (never a silent skip).
 */
public final class Chromium {
  private Chromium() {}

  /** The serialized DOM of {@code html} once its scripts have run. */
  public static String dumpDom(Path html, Path workDir) throws Exception { return dumpDom(html, "", workDir); }

  /** The DOM of {@code html} opened with {@code fragment} ({@code #...}) in its address, as a shared link opens it. */
  public static String dumpDom(Path html, String fragment, Path workDir) throws Exception {
    Path out = Files.createTempFile(workDir, "dom", ".html");
    run(workDir, out, "--dump-dom", html.toUri() + fragment);
    return Files.readString(out);
  }

  private static void run(Path workDir, Path stdout, String... args) throws Exception {
    CliProcess.awaitPeer("chromium");
    String exe = executable();
    Path profile = Files.createTempDirectory(workDir, "chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(workDir, "chromium-err", ".txt");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(stdout.toFile()).redirectError(err.toFile()).start();
    boolean finished;
    try {
      finished = p.waitFor(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) { // the test's @Timeout: leave no browser running
      CliProcess.destroyTree(p);
      throw e;
    }
    if (!finished) {
      CliProcess.destroyTree(p);
      throw new AssertionError("chromium did not finish in 120 s: " + String.join(" ", cmd));
    }
    if (p.exitValue() != 0) throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(err));
  }

  private static String executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path c = Path.of(dir, "chromium");
      if (Files.isExecutable(c)) return c.toString();
    }
    throw new AssertionError("chromium is not installed: the HTML report tests need a headless browser. "
        + "Run scripts/install-test-tools as root (its log: .tools/install.log), or apt-get install chromium.");
  }
}
