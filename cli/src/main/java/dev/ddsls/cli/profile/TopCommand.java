package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Verbose;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ddsls profile top}: the frames with the most self time, with their total. */
@Command(name = "top", mixinStandardHelpOptions = true, description = "Prints the top frames by self value (and their total).")
final class TopCommand implements Callable<Integer> {
  @Mixin Verbose verbose;
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof or JFR files (merged).") List<Path> files;
  @Mixin Selection selection;
  @Option(names = "--limit", defaultValue = "20", description = "Rows. Default: ${DEFAULT-VALUE}.") int limit;

  @Override
  public Integer call() {
    if (limit < 1) throw Cli.Failure.usage("--limit must be at least 1");
    MergedProfile m = selection.apply(ProfileFiles.read(files));
    long total = m.profile().total(m.valueIndex());
    System.out.println(selection.describe(m) + ": " + m.format(total) + " in " + m.profile().samples().size() + " samples");
    System.out.printf(Locale.ROOT, "%12s %7s %12s %7s  %s%n", "self", "self%", "total", "total%", "frame");
    List<FrameStat> top = FrameStats.top(m.profile(), m.valueIndex(), limit);
    for (FrameStat f : top) {
      System.out.printf(Locale.ROOT, "%12s %6.1f%% %12s %6.1f%%  %s%n", m.format(f.selfValue()), f.selfPct(), m.format(f.totalValue()),
          f.totalPct(), f.frame());
    }
    return Cli.OK;
  }
}
