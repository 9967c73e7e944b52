package dev.ddsls.cli;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    List<String> cmd = command(jvmArgs);
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

  /**
   * The command line that starts ddsls, before its arguments. End-to-end tests (which run after the module is packaged,
   * and are given its jar in {@code ddsls.jar}) start the jar, as the launcher does; unit tests the test class path.
   * The suite starts some hundreds of these short JVMs on two cores, so each starts as cheaply as it can: C1 only,
   * the serial collector, and in end-to-end tests an application class-data archive of the jar (made once per build,
   * by {@link #archive}): half the CPU of a default JVM for a small {@code diagnose} (docs/benchmarks.md, test suite).
   */
  public static List<String> command(List<String> jvmArgs) {
    List<String> cmd = new ArrayList<>(CHEAP_JVM);
    cmd.addAll(jvmArgs);
    String jar = System.getProperty("ddsls.jar");
    if (jar == null) {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ddsls.cli.Main"));
      return cmd;
    }
    Path archive = archive(Path.of(jar));
    // -Xshare:auto (the default): a missing or stale archive costs only its speed; its warnings would be output.
    if (archive != null) cmd.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off"));
    cmd.addAll(List.of("-jar", jar));
    return cmd;
  }

  /** The test JVM's java, C1 only, with the serial collector: what every ddsls JVM of the suite starts with. */
  private static final List<String> CHEAP_JVM =
      List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static Path archive;
  private static boolean archiveTried;

  /**
   * The jar's dynamic class-data archive, beside it, made once by a {@code diagnose} of two real profiles (an agent
   * pprof and dd-trace-java's JFR: the CLI, Jackson, the readers and the analysis); null when it cannot be made.
   */
  private static synchronized Path archive(Path jar) {
    if (archiveTried) return archive;
    archiveTried = true;
    Path jsa = jar.resolveSibling("ddsls-test.jsa");
    try {
      if (Files.isRegularFile(jsa) && Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) > 0) {
        return archive = jsa;
      }
      Path dir = Files.createTempDirectory("ddsls-cds");
      for (String r : List.of("datadog/profiles/ddsls-agent-coldstart.pb.gz", "datadog/profiles/dd-trace-java-1.65.1-ddprof.jfr")) {
        try (InputStream in = CliProcess.class.getClassLoader().getResourceAsStream(r)) {
          Files.copy(in, dir.resolve(Path.of(r).getFileName().toString()));
        }
      }
      Path partial = Files.createTempFile(jar.getParent(), "ddsls-test", ".jsa.part");
      Files.delete(partial); // the JVM writes it
      List<String> cmd = new ArrayList<>(CHEAP_JVM);
      cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off,cds+dynamic=off", "-jar", jar.toString(),
          "diagnose", "--source", dir.toString(), "--format", "json"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      boolean finished = p.waitFor(120, TimeUnit.SECONDS);
      if (!finished) destroyTree(p);
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.delete(f);
      }
      Files.delete(dir);
      if (!finished) return null;
      if (!Files.isRegularFile(partial)) return null;
      Files.move(partial, jsa, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return archive = jsa;
    } catch (Exception e) {
      return null; // the tests run as well without it, only slower
    }
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
