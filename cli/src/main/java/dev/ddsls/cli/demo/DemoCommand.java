package dev.ddsls.cli.demo;

import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Install;
import dev.ddsls.cli.Main;
import dev.ddsls.cli.Verbose;
import dev.ddsls.cli.coldstart.ColdstartCommand;
import dev.ddsls.cli.diagnose.DiagnoseCommand;
import dev.ddsls.cli.diagnose.ReportFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ddsls demo}: the main job end to end on the embedded defaults. A local collector, an example function's
 * cold starts under the real runtime client with the agent installed by the layer's wrapper and uploading to that
 * collector, then {@code diagnose} reading everything back from it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Profiles an example function's cold start end to end on this machine:",
        "  1. starts a local collector (ddsls collect) on a free loopback port,",
        "  2. runs example.RulesHandler in fresh JVMs under the real AWS runtime interface client, with the agent",
        "     installed by the Lambda layer's exec wrapper and uploading to that collector (ddsls coldstart),",
        "  3. reads the spans and profiles back from the collector and explains the cold start (ddsls diagnose)."})
public final class DemoCommand implements Callable<Integer> {
  @Mixin Verbose verbose;
  static final String HANDLER = "example.RulesHandler::handleRequest";

  @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Cold starts. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: ./ddsls-out/demo-<timestamp>.")
  Path out;

  @Option(names = "--format", defaultValue = "text", description = "The report's format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  ReportFormat format;

  @Override
  public Integer call() throws Exception {
    if (runs < 1) throw Cli.Failure.usage("--runs must be at least 1, not " + runs);
    Path jar = Install.current().examplesDir().resolve("ddsls-examples.jar");
    if (out == null) out = Path.of("ddsls-out", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    if (Files.exists(out.resolve("coldstart"))) throw Cli.Failure.usage("--out " + out + " already holds a demo; choose another directory");
    Files.createDirectories(out);

    Process collector = startCollector(out.resolve("collector"));
    try {
      String url = collectorUrl(collector);
      System.err.println("ddsls demo: collector at " + url + ", data in " + out.resolve("collector"));
      Path event = out.resolve("event.json");
      Files.writeString(event, "{\"key\":\"2a\",\"rounds\":20000}\n");
      // The command objects, not their names and options as strings: renaming one breaks this build, not the demo.
      Map<String, String> env = new LinkedHashMap<>();
      env.put("DD_TRACE_AGENT_URL", url);
      env.put("DD_SERVICE", "rules-demo");
      env.put("DD_ENV", "demo");
      // A cold start's spans and profile reach the local collector however loaded this machine is: its flush is not
      // given up after Lambda's budget, nor is a slow answer taken for a failing intake. (The flush schedule stays the
      // default, so the table's post-runtime times are what a function pays.)
      env.put("DDSLS_FLUSH_BUDGET_MS", "30000");
      env.put("DDSLS_FLUSH_SLOW_MS", "60000");
      int exit = ColdstartCommand.withAgent(jar, HANDLER, runs, 3, event, out.resolve("coldstart"), env).call();
      if (exit != Cli.OK) return exit;
      System.out.println();
      return DiagnoseCommand.ofService(url, "rules-demo", format).call();
    } finally {
      collector.destroy(); // SIGTERM: the collector shuts down cleanly
      if (!collector.waitFor(10, TimeUnit.SECONDS)) collector.destroyForcibly();
    }
  }

  /** {@code ddsls collect} as a child process of this JVM, on a free loopback port. */
  private static Process startCollector(Path data) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "collect", "--port", "0", "--data", data.toString()));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return pb.start();
  }

  /** The collector prints {@code ddsls collect listening on http://HOST:PORT} as its first line. */
  private static String collectorUrl(Process collector) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(collector.getInputStream(), StandardCharsets.UTF_8));
    String first = lines.readLine();
    String marker = "listening on ";
    if (first == null || !first.contains(marker)) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "the local collector did not start" + (first == null ? "" : ": " + first));
    }
    Thread drain = new Thread(() -> {
      try {
        while (lines.readLine() != null) {
          // the collector's counter lines are not part of the demo's output
        }
      } catch (IOException ignored) {
        // the collector stopped
      }
    }, "collector-output");
    drain.setDaemon(true);
    drain.start();
    return first.substring(first.indexOf(marker) + marker.length()).trim();
  }
}
