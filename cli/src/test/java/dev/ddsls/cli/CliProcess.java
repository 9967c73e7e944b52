package dev.ddsls.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code ddsls} as a separate process, the way a user or CI does, on the test class path. */
public final class CliProcess {
  /** What a finished process left: exit code, output, and how long it ran. */
  public record Result(int exit, String stdout, String stderr, long millis) {}

  private CliProcess() {}

  public static Result run(Path workDir, String... args) throws Exception { return run(workDir, Map.of(), 300, args); }

  /** @param env added to (or, with a null value, removed from) the inherited environment */
  public static Result run(Path workDir, Map<String, String> env, int timeoutSeconds, String... args) throws Exception {
    return run(workDir, env, List.of(), timeoutSeconds, args);
  }

  /** @param jvmArgs options of the ddsls JVM itself (a heap bound: -Xmx512m) */
  public static Result run(Path workDir, Map<String, String> env, List<String> jvmArgs, int timeoutSeconds, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ddsls.cli.Main"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getValue() == null) pb.environment().remove(e.getKey()); // null: not inherited
      else pb.environment().put(e.getKey(), e.getValue());
    }
    long start = System.nanoTime();
    Process p = pb.start();
    boolean finished;
    try {
      finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) { // the test's @Timeout: no JVM of it may outlive it and load the tests after it
      destroyTree(p);
      throw e;
    }
    if (!finished) {
      destroyTree(p);
      throw new AssertionError("ddsls " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err), (System.nanoTime() - start) / 1_000_000);
  }

  /** Kills {@code p} and what it started (coldstart's function JVMs, a demo's collector). */
  public static void destroyTree(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** The example handlers' jar, copied into cli/target by the build (process-classes). */
  public static Path examplesJar() { return Path.of("target", "examples", "ddsls-examples.jar").toAbsolutePath(); }

  /** The agent jar inside the unpacked layer. */
  public static Path agentJar() { return Path.of("target", "layer", "ddsls", "ddsls-agent.jar").toAbsolutePath(); }
}
