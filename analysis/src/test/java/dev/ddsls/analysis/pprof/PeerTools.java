package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs the independent pprof implementations the interop tests compare against. A missing tool fails
 * the test: the interop tests are the evidence that other readers accept our profiles, so they never skip.
 */
final class PeerTools {
  static final String PPROF_FORMAT = "pprof-format@2.3.2";
  private static final long TIMEOUT_SECONDS = 120;

  private PeerTools() {}

  /** The {@code go} command on PATH (Debian golang-go brings {@code go tool pprof}). */
  static String go() {
    awaitInstall("go");
    return onPath("go", "apt-get install -y golang-go");
  }

  static String node() { return onPath("node", "apt-get install -y nodejs npm"); }

  /** The directory holding {@code node_modules/pprof-format}. */
  static Path toolsDir() {
    awaitInstall("pprof-format");
    String prop = System.getProperty("ddsls.test.tools", "");
    Path dir = prop.isBlank() || prop.contains("${") ? findUp(".tools") : Path.of(prop);
    if (dir == null || !Files.isRegularFile(dir.resolve("node_modules/pprof-format/package.json"))) {
      fail("npm package " + PPROF_FORMAT + " not found in " + (dir == null ? "any .tools directory" : dir + "/node_modules")
          + ": scripts/install-test-tools installs it (its log: .tools/install.log), or `npm install --prefix <repo>/.tools "
          + PPROF_FORMAT + "`"
          + " (or point -Dddsls.test.tools at a directory containing node_modules/pprof-format)");
    }
    return dir;
  }

  /** Runs a command, fails the test unless it exits 0 in time, and returns its standard output. */
  static byte[] run(Path workDir, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    Process p = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(Arrays.toString(command) + " did not finish within " + TIMEOUT_SECONDS + " s");
    }
    assertEquals(0, p.exitValue(), () -> Arrays.toString(command) + " failed: " + read(err));
    return Files.readAllBytes(out);
  }

  static String runText(Path workDir, String... command) throws IOException, InterruptedException {
    return new String(run(workDir, command), StandardCharsets.UTF_8);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  private static String onPath(String name, String install) {
    List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    for (String d : dirs) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) return Path.of(d, name).toString();
    }
    return fail("`" + name + "` not found on PATH: scripts/install-test-tools installs it (its log: .tools/install.log), or `"
        + install + "`");
  }

  /** Waits while scripts/install-test-tools installs {@code peer} beside the build (its --background mode). */
  private static void awaitInstall(String peer) {
    Path scripts = findUp("scripts");
    if (scripts == null || !Files.isExecutable(scripts.resolve("install-test-tools"))) return;
    try {
      Process p = new ProcessBuilder(scripts.resolve("install-test-tools").toString(), "--wait", peer).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start(); // never into a surefire fork's stdout
      if (!p.waitFor(16, TimeUnit.MINUTES)) p.destroyForcibly();
    } catch (IOException | InterruptedException e) {
      fail("waiting for install-test-tools to install " + peer + ": " + e);
    }
  }

  private static Path findUp(String name) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve(name))) return d.resolve(name);
    }
    return null;
  }
}
