package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.CollapsedStacks;
import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Verbose;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ddsls profile convert}: pprof or collapsed stacks, chosen by the output's extension. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Writes the (merged, selected) samples as pprof (.pb.gz gzipped, .pb or .pprof raw) or collapsed stacks (.txt, .collapsed).")
final class ConvertCommand implements Callable<Integer> {
  @Mixin Verbose verbose;
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof or JFR files (merged).") List<Path> files;
  @Mixin Selection selection;
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Output; its extension picks the format.") Path output;

  @Override
  public Integer call() throws IOException {
    String name = output.getFileName().toString();
    boolean collapsed = name.endsWith(".txt") || name.endsWith(".collapsed");
    boolean pprof = name.endsWith(".pb.gz") || name.endsWith(".pb") || name.endsWith(".pprof");
    if (!collapsed && !pprof) throw Cli.Failure.usage("unknown output extension: " + name + " (.pb.gz, .pb, .pprof, .txt or .collapsed)");
    MergedProfile m = selection.apply(ProfileFiles.read(files));
    if (collapsed) {
      try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
        CollapsedStacks.write(CollapsedStacks.of(m.profile(), m.valueIndex()), out);
      }
    } else {
      Files.write(output, name.endsWith(".gz") ? PprofWriter.gzipped(m.profile()) : PprofWriter.raw(m.profile()));
    }
    System.out.println("wrote " + output + " (" + selection.describe(m) + ")");
    return Cli.OK;
  }
}
