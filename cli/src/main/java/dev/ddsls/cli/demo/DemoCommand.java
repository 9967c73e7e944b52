package dev.ddsls.cli.demo;

import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Install;
import dev.ddsls.cli.SizeConverter;
import dev.ddsls.cli.Verbose;
import dev.ddsls.cli.coldstart.ColdstartCommand;
import dev.ddsls.cli.collect.CollectCommand;
import dev.ddsls.cli.diagnose.DiagnoseCommand;
import dev.ddsls.cli.diagnose.ReportFormat;
import dev.ddsls.collector.Collector;
import dev.ddsls.collector.Retention;
import dev.ddsls.collector.Store;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
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
        "  1. starts a local collector (ddsls collect's, in this process) on a free loopback port,",
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

    Path data = out.resolve("collector");
    try (Collector collector = startCollector(data)) {
      String url = "http://127.0.0.1:" + collector.port();
      System.err.println("ddsls demo: collector at " + url + ", data in " + data);
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
    }
  }

  /**
   * {@code ddsls collect}'s engine in this JVM, on a free loopback port, with its default --max-body. Closed, it lets
   * the requests in flight finish and closes the store.
   */
  private static Collector startCollector(Path data) throws Exception {
    Store store = CollectCommand.openStore(Files.createDirectories(data));
    try {
      // The store is new and lives for one demo: nothing is old enough to drop. The counters line, each minute, is
      // not part of the demo's output.
      long maxBody = new SizeConverter().convert(CollectCommand.DEFAULT_MAX_BODY);
      Collector collector = new Collector(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, maxBody,
          new Retention(Long.MAX_VALUE, Long.MAX_VALUE), 60_000, new PrintStream(OutputStream.nullOutputStream()));
      collector.start();
      return collector;
    } catch (Exception e) {
      store.close();
      throw new Cli.Failure(Cli.UNAVAILABLE, "the local collector did not start: " + e.getMessage(), e);
    }
  }
}
