package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.CollapsedStacks;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.report.FlameGraph;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ddsls profile diff A B}: the frames whose self value grew most from A to B, and a differential flame graph
 * (B's shape, red where a frame's share grew, blue where it shrank).
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Prints the frames whose self value grew most from A to B; -o writes a differential HTML flame graph.")
final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "A", description = "Before: pprof or JFR.") Path before;
  @Parameters(index = "1", paramLabel = "B", description = "After: pprof or JFR.") Path after;
  @Mixin Selection selection;
  @Option(names = "--limit", defaultValue = "10", description = "Rows. Default: ${DEFAULT-VALUE}.") int limit;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The HTML file to write.") Path output;

  @Override
  public Integer call() throws IOException {
    if (limit < 1) throw Cli.Failure.usage("--limit must be at least 1");
    Selection.Merged a = selection.apply(ProfileFiles.read(List.of(before)));
    Selection.Merged b = selection.apply(ProfileFiles.read(List.of(after)));
    if (!a.type().equals(b.type())) throw Cli.Failure.usage("A has " + a.type() + " values, B " + b.type() + ": choose one with --type");
    long totalA = a.profile().total(a.valueIndex()), totalB = b.profile().total(b.valueIndex());
    System.out.println("A: " + selection.describe(a) + ", " + a.format(totalA) + "; B: " + selection.describe(b) + ", " + b.format(totalB));
    Map<String, FrameStat> selfA = bySelf(a), selfB = bySelf(b);
    Set<String> frames = new HashSet<>(selfA.keySet());
    frames.addAll(selfB.keySet());
    List<String> grown = new ArrayList<>();
    Map<String, Long> delta = new HashMap<>();
    for (String f : frames) {
      long d = self(selfB, f) - self(selfA, f);
      if (d > 0) {
        grown.add(f);
        delta.put(f, d);
      }
    }
    grown.sort((x, y) -> delta.get(x).equals(delta.get(y)) ? x.compareTo(y) : Long.compare(delta.get(y), delta.get(x)));
    System.out.printf(Locale.ROOT, "%12s %12s %12s %7s %7s  %s%n", "growth", "self A", "self B", "A%", "B%", "frame");
    for (String f : grown.subList(0, Math.min(limit, grown.size()))) {
      System.out.printf(Locale.ROOT, "%12s %12s %12s %6.1f%% %6.1f%%  %s%n", "+" + b.format(delta.get(f)), a.format(self(selfA, f)),
          b.format(self(selfB, f)), pct(selfA, f), pct(selfB, f), f);
    }
    if (grown.isEmpty()) System.out.println("no frame's self value grew");
    if (output != null) {
      FlameGraph g = FlameGraph.diff(CollapsedStacks.of(a.profile(), a.valueIndex()), CollapsedStacks.of(b.profile(), b.valueIndex()),
          b.type().unit());
      Files.writeString(output, FlameGraph.page("Differential flame graph: " + before.getFileName() + " -> " + after.getFileName(),
          List.of("Shape of B (" + after + "); colour: red = share grew since A (" + before + "), blue = shrank. "
              + "Frames only in A are not drawn."), g), StandardCharsets.UTF_8);
      System.out.println("wrote " + output);
    }
    return Cli.OK;
  }

  private static Map<String, FrameStat> bySelf(Selection.Merged m) {
    Map<String, FrameStat> out = new HashMap<>();
    for (FrameStat f : FrameStats.top(m.profile(), m.valueIndex(), Integer.MAX_VALUE)) out.put(f.frame(), f);
    return out;
  }

  private static long self(Map<String, FrameStat> m, String f) {
    FrameStat s = m.get(f);
    return s == null ? 0 : s.selfValue();
  }

  private static double pct(Map<String, FrameStat> m, String f) {
    FrameStat s = m.get(f);
    return s == null ? 0 : s.selfPct();
  }
}
