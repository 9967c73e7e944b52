package dev.ddsls.cli.demo;

import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Install;
import dev.ddsls.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
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
  static final String HANDLER = "example.RulesHandler::handleRequest";

  @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Cold starts. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: ./ddsls-out/demo-<timestamp>.")
  Path out;

  @Option(names = "--format", defaultValue = "text", description = "The report's format: text, json, markdown. Default: ${DEFAULT-VALUE}.")
  String format;

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
      int exit = Main.run("coldstart", "--jar", jar.toString(), "--handler", HANDLER, "--runs", Integer.toString(runs),
          "--invocations", "3", "--agent", "on", "--event", event.toString(), "--out", out.resolve("coldstart").toString(),
          "--env", "DD_TRACE_AGENT_URL=" + url, "--env", "DD_SERVICE=rules-demo", "--env", "DD_ENV=demo");
      if (exit != Cli.OK) return exit;
      System.out.println();
      return Main.run("diagnose", "--source", url, "--service", "rules-demo", "--format", format, "--quiet");
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
