package dev.ddsls.cli.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Install;
import dev.ddsls.cli.Verbose;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddsls coldstart}: measures cold starts of a handler jar in fresh JVMs under the real runtime interface client. */
@Command(name = "coldstart", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Runs a Lambda handler jar locally in fresh JVMs, started as Lambda's Java runtime starts them (its JVM flags,"
            + " the AWS runtime interface client, a built-in Runtime API emulator), and measures each cold start.",
        "Writes DIR/results.json (schema ddsls.coldstart/v1) and DIR/run-<n>/ (stdout.log, stderr.log, invocations.jsonl: request ids, trace headers, responses,"
            + " times and Lambda's billed Duration; and the agent's files).",
        "The package is unpacked as Lambda unpacks it into /var/task, once per content, into DDSLS_CACHE_DIR (default"
            + " ~/.cache/ddsls; the 16 most recently used kept); DIR/task-root links to it.",
        "A/B: with --baseline-jar the candidate (--jar) and the baseline run alternately, A B A B ..., after a discarded"
            + " warm-up pair, so machine drift hits both alike; the baseline's results go to DIR/baseline/results.json,"
            + " ready for 'ddsls gate --results DIR/results.json --baseline DIR/baseline/results.json'.",
        "Exit codes: 0 all runs ok, 1 a run failed (results are still written), 2 usage error."})
public final class ColdstartCommand implements Callable<Integer> {
  private static final Pattern HANDLER =
      Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*(::[A-Za-z_$][\\w$]*)?");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** The gate's minimum samples per side for a regression on the median (docs/ci.md). */
  private static final int MIN_GATE_RUNS = 9;

  enum Toggle { on, off }

  enum Format { text, json }

  @Option(names = "--jar", required = true, paramLabel = "FILE", description = "The function's jar (with its dependencies).")
  Path jar;

  @Option(names = "--handler", required = true, paramLabel = "CLASS[::METHOD]", description = "The handler, as in Lambda's configuration.")
  String handler;

  @Option(names = "--event", paramLabel = "FILE", description = "An event (JSON) file; repeat for several, used in turn. Default: {}.")
  List<Path> eventFiles = new ArrayList<>();

  @Option(names = "--runs", paramLabel = "N", description = "Cold starts (fresh JVMs). Default: ${DEFAULT-VALUE}.")
  int runs = 5;

  @Option(names = "--invocations", paramLabel = "M", description = "Invocations per run. Default: ${DEFAULT-VALUE}.")
  int invocations = 3;

  @Option(names = "--agent", paramLabel = "on|off",
      description = "Run with the ddsls layer (exec wrapper + agent), as in Lambda. Default: ${DEFAULT-VALUE}.")
  Toggle agent = Toggle.on;

  @Option(names = "--env", paramLabel = "KEY=VALUE", description = "An environment variable for the function; repeatable.")
  List<String> env = new ArrayList<>();

  @Option(names = "--jvm-arg", paramLabel = "ARG", description = "An extra JVM argument, e.g. --jvm-arg=-Xss1m; repeatable.")
  List<String> jvmArgs = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: ./ddsls-out/coldstart-<timestamp>.")
  Path out;

  @Option(names = "--format", paramLabel = "text|json", description = "Output format. Default: ${DEFAULT-VALUE}.")
  Format format = Format.text;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "Limit per invocation (the first also covers init). Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds = 30;

  @Option(names = "--memory", paramLabel = "MB",
      description = "Memory size: AWS_LAMBDA_FUNCTION_MEMORY_SIZE and a heap of 85%% of it, as Lambda sets. Default: ${DEFAULT-VALUE}.")
  int memoryMb = 1024;

  @Option(names = "--baseline-jar", paramLabel = "FILE",
      description = "A/B mode: the baseline jar, run alternately with --jar (same handler, events and settings).")
  Path baselineJar;

  @Option(names = "--baseline-ref", paramLabel = "FILE",
      description = "A/B against an existing results.json (ddsls.coldstart/v1) as the baseline, without running it.")
  Path baselineRef;

  @Option(names = "--warmup", paramLabel = "N",
      description = "Runs (per jar) started and discarded before measuring. Default: 1 in A/B mode, else 0.")
  int warmup = -1;

  @Option(names = "--cpu-limit",
      description = "Limit the function's CPU to Lambda's share for --memory (1,769 MB = 1 vCPU): -XX:ActiveProcessorCount,"
          + " taskset and a cgroup CPU quota, as far as this machine allows; results.json says what applied.")
  boolean cpuLimit;

  @Option(names = "--snapstart",
      description = "Run each cold start as a SnapStart version starts (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): init, the"
          + " runtime client's beforeCheckpoint hooks, /restore/next, the afterRestore hooks, then the invocations; results.json"
          + " gets restoreMs. Emulated in one JVM: no memory snapshot is taken (see docs/formats.md).")
  boolean snapStart;

  /** Diagnostic: the old start with the package on the class path and no task root, to measure the difference. */
  @Option(names = "--package-on-class-path", hidden = true)
  boolean packageOnClassPath;

  @Option(names = "--java", paramLabel = "PATH", description = "The java executable. Default: the one running ddsls.")
  Path java;

  @Option(names = "--runtime-main", paramLabel = "CLASS",
      description = "The runtime's main class, for a custom runtime in the function's jar (it reads _HANDLER and"
          + " AWS_LAMBDA_RUNTIME_API). Default: the AWS runtime interface client, as in Lambda's java runtimes.")
  String runtimeMain;

  @Mixin Verbose verbose;

  /**
   * What {@code ddsls demo} runs: the handler's cold starts with the agent, each option not named here at its default
   * (field initialisers, not annotation defaults, so that they hold without a picocli parse).
   */
  public static ColdstartCommand withAgent(Path jar, String handler, int runs, int invocations, Path event, Path out,
      Map<String, String> env) {
    ColdstartCommand c = new ColdstartCommand();
    c.jar = jar;
    c.handler = handler;
    c.runs = runs;
    c.invocations = invocations;
    c.eventFiles.add(event);
    c.out = out;
    env.forEach((k, v) -> c.env.add(k + "=" + v));
    return c;
  }

  @Override
  public Integer call() throws Exception {
    validateNumbers();
    validateJar(jar, "--jar");
    if (baselineJar != null && baselineRef != null) throw Cli.Failure.usage("--baseline-jar and --baseline-ref exclude each other");
    if (baselineJar != null) validateJar(baselineJar, "--baseline-jar");
    if (baselineRef != null) readReference();
    boolean ab = baselineJar != null || baselineRef != null;
    int warmups = warmup >= 0 ? warmup : ab ? 1 : 0;
    Map<String, String> envMap = parseEnv();
    List<byte[]> events = readEvents();
    Path javaExe = javaExecutable();
    Path outDir = outputDirectory();

    CpuLimit cpu = cpuLimit ? CpuLimit.forMemory(memoryMb) : null;
    try {
      boolean text = format == Format.text;
      if (cpu != null && text) printCpuLimit(cpu);
      if (snapStart && text) System.err.println("ddsls: note: " + ColdstartTable.SNAPSTART_NOTE);
      Path warmupDir = outDir.resolve("warmup");
      Side candidate = new Side("candidate", jar, launch(jar, javaExe, envMap, cpu), events, outDir, warmupDir);
      Side baseline = baselineJar == null ? null : new Side("baseline", baselineJar, launch(baselineJar, javaExe, envMap, cpu),
          events, outDir.resolve("baseline"), warmupDir);
      int seq = 0;
      for (int w = 1; w <= warmups; w++) {
        seq += candidate.warmup(w, text);
        if (baseline != null) seq += baseline.warmup(w, text);
      }
      for (int n = 1; n <= runs; n++) {
        candidate.measure(n, ++seq, text);
        if (baseline != null) baseline.measure(n, ++seq, text);
      }

      Path resultsFile = outDir.resolve("results.json");
      Path baselineFile = baseline != null ? outDir.resolve("baseline").resolve("results.json") : baselineRef;
      String order = baselineJar != null ? "alternate" : "reference";
      ColdstartResults res = candidate.results(!ab ? null : new ColdstartResults.Pairing("candidate", order,
          baseline != null ? "baseline/results.json" : baselineRef.toAbsolutePath().toString(), warmups, candidate.sequence), cpu);
      ColdstartResults baseRes = baseline == null ? null
          : baseline.results(new ColdstartResults.Pairing("baseline", order, "../results.json", warmups, baseline.sequence), cpu);
      String json = res.toJsonString();
      Files.writeString(resultsFile, json + "\n", StandardCharsets.UTF_8);
      if (baseRes != null) Files.writeString(baselineFile, baseRes.toJsonString() + "\n", StandardCharsets.UTF_8);
      PrintStream stdout = System.out;
      if (text) {
        ColdstartTable.print(res, resultsFile.toString(), stdout);
        if (baseRes != null) {
          stdout.println();
          stdout.println("baseline (" + baselineJar + "):");
          ColdstartTable.print(baseRes, baselineFile.toString(), stdout);
        }
        if (ab) {
          stdout.printf(Locale.ROOT, "%ngate: ddsls gate --results %s --baseline %s --max-regression init.p50:10%%%n", resultsFile, baselineFile);
        }
      } else {
        stdout.println(json);
      }
      if (ab && runs < MIN_GATE_RUNS) {
        System.err.printf(Locale.ROOT, "ddsls: note: %d runs per side; a regression in ddsls gate needs at least %d per side"
            + " (more for p90 and above), so the gate will report insufficient data%n", runs, MIN_GATE_RUNS);
      }
      stdout.flush();
      boolean ok = res.allOk() && (baseRes == null || baseRes.allOk());
      return ok ? Cli.OK : Cli.FAILED;
    } finally {
      if (cpu != null) cpu.close();
    }
  }

  /** One jar of a measurement: its runs, in the order they ran, and their positions in the job. */
  private final class Side {
    final String role;
    final Path jarFile;
    final RuntimeLaunch launch;
    final List<byte[]> events;
    final ColdstartRun run;
    final Path warmupDir;
    final List<RunResult> results = new ArrayList<>();
    final List<Integer> sequence = new ArrayList<>();
    /** The unpacked package (DIR/task-root), or null for the diagnostic class-path start. */
    final TaskRoot taskRoot;

    Side(String role, Path jarFile, RuntimeLaunch launch, List<byte[]> events, Path dir, Path warmupDir) throws IOException {
      this.role = role;
      this.warmupDir = warmupDir.resolve(role);
      this.jarFile = jarFile;
      this.launch = launch;
      this.events = events;
      this.taskRoot = packageOnClassPath ? null
          : TaskRoot.unpack(jarFile, dir.resolve(TaskRoot.DIR), TaskRootCache.ofEnvironment(System.getenv()));
      this.run = new ColdstartRun(launch, events, invocations, timeoutSeconds * 1000L, dir, taskRoot == null ? null : taskRoot.dir);
    }

    /** A discarded run, in DIR/warmup/ROLE/run-W: it warms the page cache and CPU caches, not the results. */
    int warmup(int w, boolean text) throws Exception {
      RunResult r = new ColdstartRun(launch, events, invocations, timeoutSeconds * 1000L, warmupDir,
          taskRoot == null ? null : taskRoot.dir).run(w);
      if (text || !r.ok()) {
        System.err.printf(Locale.ROOT, "ddsls: warm-up %s %d %s (discarded)%s%n", role, w, r.status().label,
            r.ok() ? "" : ": " + r.error());
      }
      return 1;
    }

    void measure(int n, int seq, boolean text) throws Exception {
      RunResult r = run.run(n);
      results.add(r);
      sequence.add(seq);
      if (text) {
        String who = baselineJar == null ? "" : role + " ";
        System.err.printf(Locale.ROOT, "ddsls: %srun %d/%d %s%s%n", who, n, runs, r.status().label,
            r.initMs() == null ? "" : String.format(Locale.ROOT, " (init %.1f ms)", r.initMs()));
      }
    }

    ColdstartResults results(ColdstartResults.Pairing pairing, CpuLimit cpu) {
      ColdstartResults res = new ColdstartResults(handler, agent == Toggle.on, jarFile.toAbsolutePath().toString(), memoryMb, results,
          pairing, cpu);
      res.start = new ColdstartResults.Start(launch.spec().initializationType(), taskRoot == null ? null : TaskRoot.DIR,
          taskRoot == null ? "class-path" : taskRoot.layout.label);
      return res;
    }
  }

  private RuntimeLaunch launch(Path jarFile, Path javaExe, Map<String, String> envMap, CpuLimit cpu) {
    Install install = Install.current();
    Path layer = agent == Toggle.on ? install.layerDir() : null;
    List<String> jvm = new ArrayList<>(jvmArgs);
    if (cpu != null) jvm.addAll(cpu.jvmArgs());
    RuntimeLaunch.Spec spec = new RuntimeLaunch.Spec(javaExe, jarFile.toAbsolutePath(), handler, memoryMb, List.copyOf(jvm),
        envMap, install.runtimeDir(), layer, runtimeMain == null ? RuntimeLaunch.RIC_MAIN : runtimeMain, snapStart,
        packageOnClassPath);
    return new RuntimeLaunch(spec, cpu == null ? List.of() : cpu.commandPrefix());
  }

  private static void printCpuLimit(CpuLimit cpu) {
    for (String a : cpu.applied) System.err.println("ddsls: cpu limit " + cpu.vcpusText() + " vCPU: applied " + a);
    for (String a : cpu.notApplied) System.err.println("ddsls: cpu limit " + cpu.vcpusText() + " vCPU: NOT applied " + a);
  }

  /** The --baseline-ref document, checked to be coldstart results (the gate would refuse anything else). */
  private JsonNode readReference() {
    JsonNode doc;
    try {
      doc = new ObjectMapper().readTree(baselineRef.toFile());
    } catch (IOException e) {
      throw Cli.Failure.usage("--baseline-ref " + baselineRef + ": cannot read JSON (" + e.getClass().getSimpleName() + ")");
    }
    if (doc == null || !ColdstartResults.SCHEMA.equals(doc.path("schema").asText())) {
      throw Cli.Failure.usage("--baseline-ref " + baselineRef + ": not a " + ColdstartResults.SCHEMA + " results file");
    }
    if (!handler.equals(doc.path("handler").asText())) {
      System.err.println("ddsls: warning: --baseline-ref measured handler " + doc.path("handler").asText() + ", not " + handler);
    }
    if (doc.path("memoryMb").isInt() && doc.path("memoryMb").asInt() != memoryMb) {
      System.err.println("ddsls: warning: --baseline-ref was measured with --memory " + doc.path("memoryMb").asInt()
          + ", this run uses " + memoryMb);
    }
    return doc;
  }

  private void validateNumbers() {
    if (runs < 1) throw Cli.Failure.usage("--runs must be at least 1, got " + runs);
    if (invocations < 1) throw Cli.Failure.usage("--invocations must be at least 1, got " + invocations);
    if (snapStart && runtimeMain != null) {
      throw Cli.Failure.usage("--snapstart runs the AWS runtime interface client's SnapStart lifecycle; it excludes --runtime-main");
    }
    if (warmup < -1) throw Cli.Failure.usage("--warmup must be at least 0, got " + warmup);
    if (timeoutSeconds < 1) throw Cli.Failure.usage("--timeout must be at least 1 second, got " + timeoutSeconds);
    // Lambda's limits for a function's memory size.
    if (memoryMb < 128 || memoryMb > 10240) throw Cli.Failure.usage("--memory must be from 128 to 10240 MB, got " + memoryMb);
  }

  private void validateJar(Path file, String option) {
    if (!HANDLER.matcher(handler).matches()) {
      throw Cli.Failure.usage("--handler '" + handler + "' is not CLASS or CLASS::METHOD (e.g. example.Handler::handleRequest)");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) throw Cli.Failure.usage(option + " " + file + ": no such readable file");
    String cls = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
    try (JarFile jf = new JarFile(file.toFile())) {
      if (!hasClass(jf, cls)) {
        throw Cli.Failure.usage("--handler: class " + cls + " is not in " + file + " (nor in its lib/*.jar)");
      }
      if (runtimeMain != null && !hasClass(jf, runtimeMain)) {
        throw Cli.Failure.usage("--runtime-main: class " + runtimeMain + " is not in " + file + " (nor in its lib/*.jar)");
      }
    } catch (IOException e) {
      throw Cli.Failure.usage(option + " " + file + ": not a jar (" + e.getMessage() + ")");
    }
  }

  /**
   * Whether the package holds the class at its root or in one of its {@code lib/*.jar} (the zip layout: the runtime
   * client's class loader reads both).
   */
  private static boolean hasClass(JarFile pkg, String cls) throws IOException {
    String entry = cls.replace('.', '/') + ".class";
    if (pkg.getEntry(entry) != null) return true;
    for (Enumeration<JarEntry> en = pkg.entries(); en.hasMoreElements(); ) {
      JarEntry lib = en.nextElement();
      if (!TaskRoot.isLibJar(lib.getName())) continue;
      try (ZipInputStream in = new ZipInputStream(pkg.getInputStream(lib))) {
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
          if (e.getName().equals(entry)) return true;
        }
      }
    }
    return false;
  }

  private Map<String, String> parseEnv() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : env) {
      int eq = kv.indexOf('=');
      String key = eq < 0 ? kv : kv.substring(0, eq);
      if (eq < 0 || !ENV_KEY.matcher(key).matches()) throw Cli.Failure.usage("--env '" + kv + "' is not KEY=VALUE");
      if (RuntimeLaunch.RESERVED_ENV.contains(key)) throw Cli.Failure.usage("--env " + key + " is set by ddsls coldstart itself");
      m.put(key, kv.substring(eq + 1));
    }
    return m;
  }

  static final long MAX_EVENT_BYTES = 6L * 1024 * 1024;

  private List<byte[]> readEvents() {
    List<byte[]> events = new ArrayList<>();
    for (Path f : eventFiles) {
      try {
        // Lambda takes at most 6 MB of payload for a synchronous invocation; a larger file is no event (and read
        // whole it could fill the heap).
        if (Files.size(f) > MAX_EVENT_BYTES) {
          throw Cli.Failure.usage("--event " + f + ": " + Files.size(f) + " bytes, over the 6 MB Lambda accepts for an invocation");
        }
        events.add(Files.readAllBytes(f));
      } catch (Cli.Failure e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw Cli.Failure.usage("--event " + f + ": cannot read (" + e.getClass().getSimpleName() + ")");
      }
    }
    if (events.isEmpty()) events.add("{}".getBytes(StandardCharsets.UTF_8));
    return events;
  }

  private Path javaExecutable() {
    Path exe = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
    if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) throw Cli.Failure.usage("--java " + exe + ": not an executable file");
    return exe;
  }

  private Path outputDirectory() throws IOException {
    Path dir = out != null ? out
        : Path.of("ddsls-out", "coldstart-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    if (Files.exists(dir.resolve("run-1")) || Files.exists(dir.resolve("results.json"))) {
      throw Cli.Failure.usage("--out " + dir + " already holds coldstart results; choose another directory");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw Cli.Failure.usage("--out " + dir + " is not a directory");
    Files.createDirectories(dir);
    return dir;
  }
}
