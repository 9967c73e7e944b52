package dev.ddsls.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.stats.Percentiles;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Install;
import dev.ddsls.cli.Main;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ddsls demo}: the main job end to end on the embedded defaults. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Profiles an example function's cold start end to end: runs example.RulesHandler in fresh JVMs under the",
        "real AWS runtime interface client with the agent installed by the Lambda layer's wrapper, then reads the",
        "agent's pprof profiles back and shows where the cold start went."})
public final class DemoCommand implements Callable<Integer> {
  static final String HANDLER = "example.RulesHandler::handleRequest";

  @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Cold starts. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: ./ddsls-out/demo-<timestamp>.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path jar = Install.current().examplesDir().resolve("ddsls-examples.jar");
    if (out == null) out = Path.of("ddsls-out", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Path event = Files.createTempFile("ddsls-demo-event", ".json");
    try {
      Files.writeString(event, "{\"key\":\"2a\",\"rounds\":20000}");
      int exit = Main.run("coldstart", "--jar", jar.toString(), "--handler", HANDLER, "--runs", Integer.toString(runs),
          "--invocations", "3", "--agent", "on", "--event", event.toString(), "--out", out.toString());
      if (exit != Cli.OK) return exit;
    } finally {
      Files.deleteIfExists(event);
    }
    print(System.out);
    return Cli.OK;
  }

  private void print(PrintStream o) throws IOException {
    JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    List<Profile> cpu = new ArrayList<>();
    List<Profile> wall = new ArrayList<>();
    String engine = null;
    for (JsonNode run : results.get("runs")) {
      Path dir = out.resolve("run-" + run.get("run").asInt());
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "profile-*.pb.gz")) {
        for (Path f : files) {
          Profile p = PprofReader.read(f);
          (f.getFileName().toString().endsWith("-wall.pb.gz") ? wall : cpu).add(p);
          if (engine == null) engine = p.comment("ddsls.engine");
        }
      }
    }
    o.println();
    o.println("where the cold start went (" + HANDLER + ", " + results.get("runs").size() + " cold starts, "
        + (engine == null ? "no profile" : engine) + ")");
    o.println();
    o.println("phases, p50 over the runs (ms)");
    row(o, "jvm", phase(results, "jvm"), "process start to the agent's premain");
    row(o, "agent", phase(results, "agent"), "the agent's premain (async-profiler load and start)");
    row(o, "runtime-init", phase(results, "runtimeInit"), "runtime client start, handler class loading, static initialisers");
    row(o, "init", summary(results, "initMs"), "process start to the first /next, as the Runtime API saw it");
    double first = summary(results, "firstInvocationMs");
    double warm = summary(results, "warmInvocationMs");
    row(o, "first invocation", first, String.format(Locale.ROOT, "warm median %.1f: cold-invocation penalty %.1f", warm, first - warm));

    InitBreakdown init = InitBreakdown.of(cpu, wall, 8);
    o.println();
    o.printf(Locale.ROOT, "init CPU %.0f ms per cold start%s (%d samples)%n", init.cpuMsPerColdStart(),
        init.wallMsPerColdStart() > 0 ? String.format(Locale.ROOT, ", init wall %.0f ms", init.wallMsPerColdStart()) : "", init.cpuSamples());
    table(o, "the function's own code on the init path (total)", init.ownFrames(), true);
    table(o, "hottest frames (self)", init.hotFrames(), false);
    table(o, "packages (self)", init.packages(), false);
    o.println();
    o.println("profiles and spans: " + out + "  (go tool pprof -top " + out + "/run-1/profile-0001-cpu.pb.gz)");
  }

  private static double phase(JsonNode results, String name) {
    List<Double> values = new ArrayList<>();
    for (JsonNode run : results.get("runs")) {
      JsonNode phases = run.get("phasesMs");
      if (phases != null && phases.hasNonNull(name)) values.add(phases.get(name).asDouble());
    }
    Double p50 = Percentiles.of(values).p50();
    return p50 == null ? Double.NaN : p50;
  }

  private static double summary(JsonNode results, String name) {
    JsonNode p50 = results.path("summary").path(name).path("p50");
    return p50.isNumber() ? p50.asDouble() : Double.NaN;
  }

  private static void row(PrintStream o, String name, double ms, String what) {
    o.printf(Locale.ROOT, "  %-17s %8s   %s%n", name, Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.1f", ms), what);
  }

  private static void table(PrintStream o, String title, List<FrameStat> rows, boolean total) {
    o.println();
    o.println(title);
    if (rows.isEmpty()) o.println("  (none)");
    for (FrameStat f : rows) o.printf(Locale.ROOT, "  %5.1f%%  %s%n", total ? f.totalPct() : f.selfPct(), f.frame());
  }
}
