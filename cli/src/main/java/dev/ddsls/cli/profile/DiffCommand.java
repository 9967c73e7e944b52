package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.report.FlameGraph;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Verbose;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ddsls profile diff}: how each frame changed from A to B (several files per side, merged), ranked by the
 * change of total time, with the frames that disappeared; and a differential flame graph (B's shape, red where a
 * frame's share grew, blue where it shrank). With {@code --phase init|invocation} values are per cold start (per
 * invocation), so sides with different numbers of runs compare.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {"Prints how frames changed from A to B (by total, or --by self), and the frames gone from B;",
        "-o writes a differential HTML flame graph. Sides: A B, or --before FILE... --after FILE... (merged)."})
final class DiffCommand implements Callable<Integer> {
  @Mixin Verbose verbose;
  @Parameters(index = "0", arity = "0..1", paramLabel = "A", description = "Before: one pprof or JFR file.") Path a;
  @Parameters(index = "1", arity = "0..1", paramLabel = "B", description = "After: one pprof or JFR file.") Path b;
  @Option(names = {"-a", "--before"}, arity = "1..*", paramLabel = "FILE", description = "Before: pprof or JFR files (merged).")
  List<Path> beforeFiles;
  @Option(names = {"-b", "--after"}, arity = "1..*", paramLabel = "FILE", description = "After: pprof or JFR files (merged).")
  List<Path> afterFiles;
  @Mixin Selection selection;
  @Option(names = "--by", defaultValue = "total", description = "Rank by the change of total or self. Default: ${DEFAULT-VALUE}.")
  String by;
  @Option(names = "--limit", defaultValue = "10", description = "Rows per table. Default: ${DEFAULT-VALUE}.") int limit;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The HTML file to write.") Path output;

  @Override
  public Integer call() throws IOException {
    if (limit < 1) throw Cli.Failure.usage("--limit must be at least 1");
    if (!by.equals("total") && !by.equals("self")) throw Cli.Failure.usage("unknown --by " + by + ": total or self");
    List<Path> before = side(beforeFiles, 0), after = side(afterFiles, 1);
    MergedProfile ma = selection.apply(ProfileFiles.read(before));
    MergedProfile mb = selection.apply(ProfileFiles.read(after));
    if (!ma.type().equals(mb.type())) throw Cli.Failure.usage("A has " + ma.type() + " values, B " + mb.type() + ": choose one with --type");
    ProfileDiff d = ProfileDiff.of(ma, mb, selection);
    System.out.println("A: " + side(ma, d.perA, d) + "; B: " + side(mb, d.perB, d));
    String each = d.unit == null ? "" : " per " + d.unit;
    System.out.printf(Locale.ROOT, "%12s %12s %12s %12s %12s %-4s  %s%n", "total change", "total A", "total B", "self A", "self B",
        "", "frame" + (d.unit == null ? " (values are sums over each side)" : " (values" + each + ")"));
    List<ProfileDiff.Row> changed = d.changed(by.equals("total"), limit);
    for (ProfileDiff.Row r : changed) {
      System.out.printf(Locale.ROOT, "%12s %12s %12s %12s %12s %-4s  %s%n", signed(r.totalChange(), mb), value(r.totalA(), mb),
          value(r.totalB(), mb), value(r.selfA(), mb), value(r.selfB(), mb), r.added() ? "new" : "", r.frame());
    }
    if (changed.isEmpty()) System.out.println("no frame still in B changed");
    List<ProfileDiff.Row> gone = d.gone(limit);
    System.out.println();
    if (gone.isEmpty()) {
      System.out.println("gone from B: none (every frame of A still has samples in B)");
    } else {
      System.out.println("gone from B (frames of A without a sample in B), by total in A" + each);
      System.out.printf(Locale.ROOT, "%12s %12s  %s%n", "total A", "self A", "frame");
      for (ProfileDiff.Row r : gone) System.out.printf(Locale.ROOT, "%12s %12s  %s%n", value(r.totalA(), mb), value(r.selfA(), mb), r.frame());
    }
    if (output != null) {
      FlameGraph g = FlameGraph.diff(ma.profile(), ma.valueIndex(), mb.profile(), mb.valueIndex(),
          mb.type().unit()).per(d.perB, d.unit).perBefore(d.perA);
      List<String> lines = new ArrayList<>();
      lines.add("Shape of B (" + names(after) + "); colour: red = share grew since A (" + names(before) + "), blue = shrank.");
      lines.add("A: " + side(ma, d.perA, d) + ". B: " + side(mb, d.perB, d) + ".");
      StringJoiner g0 = new StringJoiner(", ", "Gone from B (in A only, not drawn): ", ".");
      for (ProfileDiff.Row r : gone) g0.add(r.frame() + " " + value(r.totalA(), mb).strip() + each);
      lines.add(gone.isEmpty() ? "Gone from B: none." : g0.toString());
      Files.writeString(output, FlameGraph.page("Differential flame graph: " + names(before) + " -> " + names(after), lines, g),
          StandardCharsets.UTF_8);
      System.out.println("wrote " + output);
    }
    return Cli.OK;
  }

  /** One side's files: the positional A (index 0) or B (1), or its option; never both forms. */
  private List<Path> side(List<Path> option, int index) {
    boolean options = beforeFiles != null || afterFiles != null;
    if (a != null && options) throw Cli.Failure.usage("give A B, or --before FILE... --after FILE..., not both");
    if (options) {
      if (beforeFiles == null || afterFiles == null) throw Cli.Failure.usage("--before and --after go together");
      return option;
    }
    if (a == null || b == null) throw Cli.Failure.usage("diff needs A B, or --before FILE... --after FILE...");
    return List.of(index == 0 ? a : b);
  }

  private String side(MergedProfile m, int per, ProfileDiff d) {
    long total = m.profile().total(m.valueIndex());
    String s = selection.describe(m) + ", " + value(total, m);
    return d.unit == null ? s : s + String.format(Locale.ROOT, " over %d %ss: %s per %s", per, d.unit, value(total / (double) per, m).strip(), d.unit);
  }

  private static String names(List<Path> files) {
    return files.size() == 1 ? files.get(0).getFileName().toString() : files.size() + " files";
  }

  private static String value(double v, MergedProfile m) {
    return m.type().unit().equals("nanoseconds") ? String.format(Locale.ROOT, "%,.1f ms", v / 1e6)
        : String.format(Locale.ROOT, "%,.1f %s", v, m.type().unit());
  }

  private static String signed(double v, MergedProfile m) { return (v > 0 ? "+" : "") + value(v, m); }
}
