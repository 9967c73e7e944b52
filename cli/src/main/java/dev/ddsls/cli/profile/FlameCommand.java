package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.report.FlameGraph;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Verbose;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ddsls profile flame}: a self-contained HTML flame graph; with {@code --phase init} (invocation) of the agent's
 * profiles, hover values per cold start (per invocation), as in diagnose.
 */
@Command(name = "flame", mixinStandardHelpOptions = true, description = "Writes an HTML flame graph (hover for values, click to zoom).")
final class FlameCommand implements Callable<Integer> {
  @Mixin Verbose verbose;
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof or JFR files (merged).") List<Path> files;
  @Mixin Selection selection;
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The HTML file to write.") Path output;

  @Override
  public Integer call() throws IOException {
    MergedProfile m = selection.apply(ProfileFiles.read(files));
    int units = selection.units(m);
    FlameGraph g = FlameGraph.of(m.profile(), m.valueIndex(), m.type().unit()).per(units, selection.unit());
    String title = "Flame graph: " + (files.size() == 1 ? files.get(0).getFileName().toString() : files.size() + " files");
    String values = units > 1 ? "; hover values per " + selection.unit() + " (" + units + " " + selection.unit() + "s), the sum beside them"
        : "; hover values are sums over the files";
    Files.writeString(output, FlameGraph.page(title, List.of(selection.describe(m) + ", " + m.format(g.total()) + values + "."), g),
        StandardCharsets.UTF_8);
    System.out.println("wrote " + output);
    return Cli.OK;
  }
}
