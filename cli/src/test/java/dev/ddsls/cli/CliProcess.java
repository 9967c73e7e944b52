package dev.ddsls.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs {@code ddsls} as a separate process, the way a user or CI does, on the test class path. */
public final class CliProcess {
  /** What a finished process left: exit code, output, and how long it ran. */
  public record Result(int exit, String stdout, String stderr, long millis) {}

  /** The suite's ddsls cache (packages unpacked once for all its coldstarts), in the build's directory, not the user's. */
  public static final Path CACHE = Path.of("target", "ddsls-cache").toAbsolutePath();

  /**
   * The agent's settings for a test that counts what reached an intake: each invocation's spans sent at its end (by
   * default a warm span leaves in the exit flush, whose 400 ms a loaded machine can use up), and the intake waited for
   * as long as it takes (no flush given up at Lambda's budget, no slow answer taken for a failing intake).
   */
  public static final Map<String, String> PATIENT_AGENT = Map.of("DD_SERVERLESS_FLUSH_STRATEGY", "end",
      "DDSLS_FLUSH_SLOW_MS", "60000", "DDSLS_FLUSH_BUDGET_MS", "30000");

  private CliProcess() {}

  /** {@code --env NAME=VALUE} for each variable, as {@code coldstart} takes them. */
  public static List<String> envArgs(Map<String, String> env) {
    List<String> args = new ArrayList<>();
    for (Map.Entry<String, String> e : env.entrySet()) args.addAll(List.of("--env", e.getKey() + "=" + e.getValue()));
    return args;
  }

  public static Result run(Path workDir, String... args) throws Exception { return run(workDir, Map.of(), 300, args); }

  /** @param env added to (or, with a null value, removed from) the inherited environment */
  public static Result run(Path workDir, Map<String, String> env, int timeoutSeconds, String... args) throws Exception {
    return run(workDir, env, List.of(), timeoutSeconds, args);
  }

  /** @param jvmArgs options of the ddsls JVM itself (a heap bound: -Xmx512m) */
  public static Result run(Path workDir, Map<String, String> env, List<String> jvmArgs, int timeoutSeconds, String... args)
      throws Exception {
    return run(List.of(), workDir, env, jvmArgs, timeoutSeconds, args);
  }

  /**
   * {@link #run} with ddsls and every process it starts held to the CPUs {@code cpus} names (taskset's list, "0"): a
   * function on one core, as a noisy neighbour on that core sees it.
   */
  public static Result runOn(String cpus, Path workDir, String... args) throws Exception {
    return run(List.of("taskset", "-c", cpus), workDir, Map.of(), List.of(), 300, args);
  }

  private static Result run(List<String> launcher, Path workDir, Map<String, String> env, List<String> jvmArgs,
                            int timeoutSeconds, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(command(jvmArgs));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    ProcessBuilder pb = inSuite(cmd, workDir).redirectOutput(out.toFile()).redirectError(err.toFile());
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

  /** A ddsls process of the suite, in {@code workDir}: with the suite's cache of unpacked packages, never the user's. */
  private static ProcessBuilder inSuite(List<String> cmd, Path workDir) { return inSuite(cmd).directory(workDir.toFile()); }

  /** A ddsls process of the suite, in this JVM's directory, with the suite's cache (packages, sqlite-jdbc's library). */
  public static ProcessBuilder inSuite(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DDSLS_CACHE_DIR", CACHE.toString());
    return pb;
  }

  /**
   * The command line that starts ddsls, before its arguments. End-to-end tests (which run after the module is packaged,
   * and are given its jar in {@code ddsls.jar}) start the jar, as the launcher does; unit tests the test class path.
   * The suite starts some hundreds of these short JVMs on two cores, so each starts as cheaply as it can: C1 only,
   * the serial collector, and in end-to-end tests an application class-data archive of the jar (made once per build,
   * by {@link #archive}): 0.42 against 0.67 s of CPU for a coldstart JVM, 0.46 against 0.68 for a small diagnose
   * (docs/benchmarks.md, "Where the CPU goes, starting ddsls").
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
   * The jar's static class-data archive, beside it, made once from the classes that the commands the suite runs most
   * load: {@code coldstart} of an example (the Runtime API emulator, the agent's intake), {@code diagnose} of its
   * output and of two real profiles (an agent pprof and dd-trace-java's JFR: the readers, the analysis, Jackson),
   * {@code profile top} and a {@code collect} started and stopped (Jetty, SQLite). Null when it cannot be made. A
   * dynamic archive, as this was, holds what one JVM loaded: only diagnose's classes.
   */
  private static synchronized Path archive(Path jar) {
    if (archiveTried) return archive;
    archiveTried = true;
    Path jsa = jar.resolveSibling("ddsls-test.jsa");
    Path dir = null;
    try {
      if (Files.isRegularFile(jsa) && Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) > 0) {
        return archive = jsa;
      }
      dir = Files.createTempDirectory("ddsls-cds");
      Path profiles = Files.createDirectories(dir.resolve("profiles"));
      for (String r : List.of("datadog/profiles/ddsls-agent-coldstart.pb.gz", "datadog/profiles/dd-trace-java-1.65.1-ddprof.jfr")) {
        try (InputStream in = CliProcess.class.getClassLoader().getResourceAsStream(r)) {
          Files.copy(in, profiles.resolve(Path.of(r).getFileName().toString()));
        }
      }
      Path run = dir.resolve("coldstart");
      // Two chains at once (diagnose of the coldstart output needs it first): the suite's classes wait for the archive.
      List<List<List<String>>> chains = List.of(
          List.of(List.of("coldstart", "--jar", examplesJar().toString(), "--handler", "example.RulesHandler", "--runs", "1",
                  "--invocations", "1", "--out", run.toString(), "--format", "json"),
              List.of("diagnose", "--source", run.toString(), "--format", "html")),
          List.of(List.of("diagnose", "--source", profiles.toString(), "--format", "json"),
              List.of("profile", "top", profiles.resolve("ddsls-agent-coldstart.pb.gz").toString()),
              List.of("collect", "--port", "0", "--data", dir.resolve("store").toString())));
      Path work = dir;
      List<CompletableFuture<List<Path>>> lists = new ArrayList<>();
      for (int c = 0; c < chains.size(); c++) {
        int chain = c;
        lists.add(CompletableFuture.supplyAsync(() -> trainChain(jar, work, chain, chains.get(chain))));
      }
      StringBuilder classes = new StringBuilder();
      Set<String> seen = new HashSet<>();
      for (CompletableFuture<List<Path>> f : lists) {
        List<Path> chainLists = f.get();
        if (chainLists == null) return null;
        for (Path list : chainLists) {
          // One class a line, each once: a list given twice makes the JDK 17 dump crash on its lambda proxies.
          for (String line : Files.readAllLines(list)) {
            if (seen.add(line)) classes.append(line).append('\n');
          }
        }
      }
      Path all = dir.resolve("all.classlist");
      Files.writeString(all, classes);
      Path partial = Files.createTempFile(jar.getParent(), "ddsls-test", ".jsa.part");
      Files.delete(partial); // the JVM writes it
      List<String> dump = new ArrayList<>(CHEAP_JVM);
      dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + all, "-XX:SharedArchiveFile=" + partial, "-jar", jar.toString()));
      Process p = new ProcessBuilder(dump).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        destroyTree(p);
        return null;
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(partial)) return null;
      Files.move(partial, jsa, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return archive = jsa;
    } catch (Exception e) {
      return null; // the tests run as well without it, only slower
    } finally {
      if (dir != null) deleteTree(dir);
    }
  }

  /** Runs one chain of training commands in turn, each dumping the classes it loaded; null when one fails. */
  private static List<Path> trainChain(Path jar, Path dir, int chain, List<List<String>> commands) {
    List<Path> lists = new ArrayList<>();
    try {
      for (int i = 0; i < commands.size(); i++) {
        String name = chain + "-" + i;
        Path list = dir.resolve(name + ".classlist");
        Path out = dir.resolve(name + ".out");
        List<String> cmd = new ArrayList<>(CHEAP_JVM);
        cmd.addAll(List.of("-XX:DumpLoadedClassList=" + list, "-jar", jar.toString()));
        cmd.addAll(commands.get(i));
        Process p = inSuite(cmd, dir).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (commands.get(i).get(0).equals("collect")) { // serves until stopped: stopped once it is listening, as a user stops it
          for (int t = 0; t < 300 && !Files.readString(out).contains("listening on"); t++) Thread.sleep(100);
          p.destroy();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          destroyTree(p);
          return null;
        }
        if (!Files.isRegularFile(list)) return null;
        lists.add(list);
      }
      return lists;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (Exception e) {
      // a temporary directory left behind
    }
  }

  /** Kills {@code p} and what it started (coldstart's function JVMs, a demo's collector). */
  public static void destroyTree(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** Waits while scripts/install-test-tools installs {@code peer} (go, chromium) beside the build: --background mode. */
  public static void awaitPeer(String peer) throws Exception {
    Path script = Path.of("..", "scripts", "install-test-tools").toAbsolutePath().normalize();
    if (!Files.isExecutable(script)) return;
    Process p = new ProcessBuilder(script.toString(), "--wait", peer).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start(); // never into a surefire fork's stdout
    if (!p.waitFor(16, TimeUnit.MINUTES)) p.destroyForcibly();
  }

  /** The example handlers' jar, copied into cli/target by the build (process-classes). */
  public static Path examplesJar() { return Path.of("target", "examples", "ddsls-examples.jar").toAbsolutePath(); }

  /** The agent jar inside the unpacked layer. */
  public static Path agentJar() { return Path.of("target", "layer", "ddsls", "ddsls-agent.jar").toAbsolutePath(); }
}
