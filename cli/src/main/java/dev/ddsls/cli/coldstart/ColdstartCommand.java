package dev.ddsls.cli.coldstart;

import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Install;
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
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ddsls coldstart}: measures cold starts of a handler jar in fresh JVMs under the real runtime interface client. */
@Command(name = "coldstart", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Runs a Lambda handler jar locally in fresh JVMs, started as Lambda's Java runtime starts them (its JVM flags,"
            + " the AWS runtime interface client, a built-in Runtime API emulator), and measures each cold start.",
        "Writes DIR/results.json (schema ddsls.coldstart/v1) and DIR/run-<n>/ (stdout.log, stderr.log, invocations.jsonl: request ids, trace headers, responses; and the agent's files).",
        "Exit codes: 0 all runs ok, 1 a run failed (results are still written), 2 usage error."})
public final class ColdstartCommand implements Callable<Integer> {
  private static final Pattern HANDLER =
      Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*(::[A-Za-z_$][\\w$]*)?");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  enum Toggle { on, off }

  enum Format { text, json }

  @Option(names = "--jar", required = true, paramLabel = "FILE", description = "The function's jar (with its dependencies).")
  Path jar;

  @Option(names = "--handler", required = true, paramLabel = "CLASS[::METHOD]", description = "The handler, as in Lambda's configuration.")
  String handler;

  @Option(names = "--event", paramLabel = "FILE", description = "An event (JSON) file; repeat for several, used in turn. Default: {}.")
  List<Path> eventFiles = new ArrayList<>();

  @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Cold starts (fresh JVMs). Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--invocations", paramLabel = "M", defaultValue = "3", description = "Invocations per run. Default: ${DEFAULT-VALUE}.")
  int invocations;

  @Option(names = "--agent", paramLabel = "on|off", defaultValue = "on",
      description = "Run with the ddsls layer (exec wrapper + agent), as in Lambda. Default: ${DEFAULT-VALUE}.")
  Toggle agent;

  @Option(names = "--env", paramLabel = "KEY=VALUE", description = "An environment variable for the function; repeatable.")
  List<String> env = new ArrayList<>();

  @Option(names = "--jvm-arg", paramLabel = "ARG", description = "An extra JVM argument, e.g. --jvm-arg=-Xss1m; repeatable.")
  List<String> jvmArgs = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: ./ddsls-out/coldstart-<timestamp>.")
  Path out;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Limit per invocation (the first also covers init). Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(names = "--memory", paramLabel = "MB", defaultValue = "1024",
      description = "Memory size: AWS_LAMBDA_FUNCTION_MEMORY_SIZE and a heap of 85%% of it, as Lambda sets. Default: ${DEFAULT-VALUE}.")
  int memoryMb;

  @Option(names = "--java", paramLabel = "PATH", description = "The java executable. Default: the one running ddsls.")
  Path java;

  @Option(names = "--verbose", description = "Stack traces on errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    validateNumbers();
    validateJar();
    Map<String, String> envMap = parseEnv();
    List<byte[]> events = readEvents();
    Path javaExe = javaExecutable();
    Path outDir = outputDirectory();

    Install install = Install.current();
    Path layer = agent == Toggle.on ? install.layerDir() : null;
    RuntimeLaunch launch = new RuntimeLaunch(new RuntimeLaunch.Spec(javaExe, jar.toAbsolutePath(), handler, memoryMb,
        List.copyOf(jvmArgs), envMap, install.runtimeDir(), layer));
    ColdstartRun run = new ColdstartRun(launch, events, invocations, timeoutSeconds * 1000L, outDir);

    boolean text = format == Format.text;
    List<RunResult> results = new ArrayList<>();
    for (int n = 1; n <= runs; n++) {
      RunResult r = run.run(n);
      results.add(r);
      if (text) {
        System.err.printf(Locale.ROOT, "ddsls: run %d/%d %s%s%n", n, runs, r.status().label,
            r.initMs() == null ? "" : String.format(Locale.ROOT, " (init %.1f ms)", r.initMs()));
      }
    }
    ColdstartResults res = new ColdstartResults(handler, agent == Toggle.on, jar.toAbsolutePath().toString(), memoryMb, results);
    String json = res.toJsonString();
    Path resultsFile = outDir.resolve("results.json");
    Files.writeString(resultsFile, json + "\n", StandardCharsets.UTF_8);
    PrintStream stdout = System.out;
    if (text) ColdstartTable.print(res, resultsFile.toString(), stdout);
    else stdout.println(json);
    stdout.flush();
    return res.allOk() ? Cli.OK : Cli.FAILED;
  }

  private void validateNumbers() {
    if (runs < 1) throw Cli.Failure.usage("--runs must be at least 1, got " + runs);
    if (invocations < 1) throw Cli.Failure.usage("--invocations must be at least 1, got " + invocations);
    if (timeoutSeconds < 1) throw Cli.Failure.usage("--timeout must be at least 1 second, got " + timeoutSeconds);
    // Lambda's limits for a function's memory size.
    if (memoryMb < 128 || memoryMb > 10240) throw Cli.Failure.usage("--memory must be from 128 to 10240 MB, got " + memoryMb);
  }

  private void validateJar() {
    if (!HANDLER.matcher(handler).matches()) {
      throw Cli.Failure.usage("--handler '" + handler + "' is not CLASS or CLASS::METHOD (e.g. example.Handler::handleRequest)");
    }
    if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) throw Cli.Failure.usage("--jar " + jar + ": no such readable file");
    String cls = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
    try (JarFile jf = new JarFile(jar.toFile())) {
      if (jf.getEntry(cls.replace('.', '/') + ".class") == null) {
        throw Cli.Failure.usage("--handler: class " + cls + " is not in " + jar);
      }
    } catch (IOException e) {
      throw Cli.Failure.usage("--jar " + jar + ": not a jar (" + e.getMessage() + ")");
    }
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

  private List<byte[]> readEvents() {
    List<byte[]> events = new ArrayList<>();
    for (Path f : eventFiles) {
      try {
        events.add(Files.readAllBytes(f));
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
