package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.MergedProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The frame-by-frame comparison behind {@code ddsls profile diff}: each frame's self and total on both sides, and
 * which frames grew, shrank, are new in B or gone from it. Values are divided by each side's {@link #per} so that
 * sides with different numbers of cold starts (or invocations) compare; the sum over the side is that times per.
 */
final class ProfileDiff {
  /** One frame on both sides; values are per unit (see {@link ProfileDiff#perA}). */
  record Row(String frame, double selfA, double selfB, double totalA, double totalB) {
    double totalChange() { return totalB - totalA; }

    double selfChange() { return selfB - selfA; }

    boolean gone() { return totalA > 0 && totalB == 0; }

    boolean added() { return totalA == 0 && totalB > 0; }
  }

  final int perA, perB;
  /** What a unit is ("cold start", "invocation"), or null when values are sums over each side. */
  final String unit;
  final List<Row> rows;

  private ProfileDiff(int perA, int perB, String unit, List<Row> rows) {
    this.perA = perA;
    this.perB = perB;
    this.unit = unit;
    this.rows = rows;
  }

  /** Values per cold start (per invocation) when {@code selection} gives both sides such units, else sums. */
  static ProfileDiff of(MergedProfile a, MergedProfile b, Selection selection) {
    int na = selection.units(a), nb = selection.units(b);
    boolean per = na > 0 && nb > 0;
    String unit = per ? selection.unit() : null;
    int perA = per ? na : 1, perB = per ? nb : 1;
    Map<String, FrameStat> sa = byFrame(a), sb = byFrame(b);
    Set<String> frames = new HashSet<>(sa.keySet());
    frames.addAll(sb.keySet());
    List<Row> rows = new ArrayList<>();
    for (String f : frames) {
      FrameStat x = sa.get(f), y = sb.get(f);
      rows.add(new Row(f, x == null ? 0 : x.selfValue() / (double) perA, y == null ? 0 : y.selfValue() / (double) perB,
          x == null ? 0 : x.totalValue() / (double) perA, y == null ? 0 : y.totalValue() / (double) perB));
    }
    return new ProfileDiff(perA, perB, unit, rows);
  }

  /**
   * The frames still in B whose value changed: grown first (most first), then shrunk (most first). Ranked by the
   * change of total when {@code byTotal} (a caller whose callees grew shows up, not only the leaf), else of self.
   */
  List<Row> changed(boolean byTotal, int limit) {
    Comparator<Row> name = Comparator.comparing(Row::frame);
    ToDoubleFunction<Row> change = byTotal ? Row::totalChange : Row::selfChange;
    List<Row> grew = new ArrayList<>(), shrank = new ArrayList<>();
    for (Row r : rows) {
      if (r.gone()) continue;
      double c = change.applyAsDouble(r);
      if (c > 0) grew.add(r);
      else if (c < 0) shrank.add(r);
    }
    grew.sort(Comparator.comparingDouble(change).reversed().thenComparing(name));
    shrank.sort(Comparator.comparingDouble(change).thenComparing(name));
    List<Row> out = new ArrayList<>(grew.subList(0, Math.min(limit, grew.size())));
    out.addAll(shrank.subList(0, Math.min(limit, shrank.size())));
    return out;
  }

  /** Frames of A that B has no sample of, by their total in A. */
  List<Row> gone(int limit) {
    List<Row> out = new ArrayList<>();
    for (Row r : rows) if (r.gone()) out.add(r);
    out.sort(Comparator.comparingDouble(Row::totalA).reversed().thenComparing(Row::frame));
    return out.subList(0, Math.min(limit, out.size()));
  }

  private static Map<String, FrameStat> byFrame(MergedProfile m) {
    Map<String, FrameStat> out = new HashMap<>();
    for (FrameStat f : FrameStats.top(m.profile(), m.valueIndex(), Integer.MAX_VALUE)) out.put(f.frame(), f);
    return out;
  }
}
