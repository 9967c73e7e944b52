package dev.ddsls.analysis.gate;

import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.profile.ProfileReader;
import dev.ddsls.analysis.pprof.Profile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where init CPU grew between two sets of cold starts: the agent's CPU profiles (samples labelled phase=init),
 * averaged per cold start, self time by frame and by package, largest growth first. Attached to failed init
 * regressions so the verdict names a suspect, not just a number.
 */
public final class InitProfileDiff {
  /** How many frames and packages a verdict names. */
  public static final int LIMIT = 5;

  /** Average init CPU self time per cold start, in ms. */
  public record Change(String name, double baselineMs, double candidateMs) {
    public double deltaMs() { return candidateMs - baselineMs; }
  }

  /** @param baselineRuns runs (directories) whose profiles held init CPU samples; same for candidateRuns */
  public record Diff(int baselineRuns, int candidateRuns, List<Change> packages, List<Change> frames,
                     int unreadable) {
    public String render() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT,
          "init CPU per cold start (self time; profiles of %d baseline and %d candidate runs), largest growth:%n",
          baselineRuns, candidateRuns));
      line(sb, "packages", packages);
      line(sb, "frames", frames);
      if (unreadable > 0) sb.append(unreadable).append(" profile file(s) could not be read\n");
      return sb.toString();
    }

    private static void line(StringBuilder sb, String what, List<Change> changes) {
      sb.append("  ").append(what).append(": ");
      if (changes.isEmpty()) sb.append("none grew");
      for (int i = 0; i < changes.size(); i++) {
        Change c = changes.get(i);
        sb.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s %+.1f ms (%.1f -> %.1f)",
            c.name(), c.deltaMs(), c.baselineMs(), c.candidateMs()));
      }
      sb.append('\n');
    }
  }

  private InitProfileDiff() {}

  /** The result with a profile diff on every failed or warned init regression where both sides have profiles. */
  public static GateResult attach(GateResult result, GateDocument candidate, GateDocument baseline) {
    if (baseline == null) return result;
    List<Outcome> out = new ArrayList<>(result.outcomes().size());
    Map<String, Diff> cache = new HashMap<>();
    for (Outcome o : result.outcomes()) {
      boolean initRegression = o.kind() == Outcome.Kind.REGRESSION && o.verdict() != Outcome.Verdict.PASS
          && !o.insufficient() && (o.measure().startsWith("init ") || o.measure().startsWith("phases.runtimeInit "));
      GateDocument.Subject c = initRegression ? find(candidate, o.subject()) : null;
      GateDocument.Subject b = c == null ? null : baseline.match(c);
      if (b == null || c.initProfiles().isEmpty() || b.initProfiles().isEmpty()) {
        out.add(o);
        continue;
      }
      Diff d = cache.computeIfAbsent(o.subject(), k -> compare(b.initProfiles(), c.initProfiles(), LIMIT));
      out.add(d.baselineRuns() == 0 || d.candidateRuns() == 0 ? o : o.withDetail(d.render()));
    }
    return new GateResult(result.schema(), List.copyOf(out));
  }

  /** Compares the init CPU of two sets of profile files; files that are not CPU pprof profiles are ignored. */
  public static Diff compare(List<Path> baseline, List<Path> candidate, int limit) {
    Side b = new Side(), c = new Side();
    b.read(baseline);
    c.read(candidate);
    return new Diff(b.runs.size(), c.runs.size(), growth(b.packages, c.packages, b.runs.size(), c.runs.size(), limit),
        growth(b.frames, c.frames, b.runs.size(), c.runs.size(), limit), b.unreadable + c.unreadable);
  }

  private static GateDocument.Subject find(GateDocument doc, String name) {
    for (GateDocument.Subject s : doc.subjects()) if (s.name().equals(name)) return s;
    return null;
  }

  private static List<Change> growth(Map<String, Long> base, Map<String, Long> cand, int baseRuns, int candRuns,
                                     int limit) {
    Set<String> keys = new HashSet<>(base.keySet());
    keys.addAll(cand.keySet());
    List<Change> changes = new ArrayList<>();
    for (String k : keys) {
      double bm = baseRuns == 0 ? 0 : base.getOrDefault(k, 0L) / 1e6 / baseRuns;
      double cm = candRuns == 0 ? 0 : cand.getOrDefault(k, 0L) / 1e6 / candRuns;
      if (cm > bm) changes.add(new Change(k, bm, cm));
    }
    changes.sort((x, y) -> x.deltaMs() != y.deltaMs() ? Double.compare(y.deltaMs(), x.deltaMs()) : x.name().compareTo(y.name()));
    return changes.size() > limit ? List.copyOf(changes.subList(0, limit)) : List.copyOf(changes);
  }

  /** Init CPU self nanoseconds summed over one side's profiles. */
  private static final class Side {
    final Map<String, Long> frames = new HashMap<>(), packages = new HashMap<>();
    final Set<Path> runs = new HashSet<>();
    int unreadable;

    void read(List<Path> files) {
      for (Path f : files) {
        Profile p;
        try {
          if (!ProfileReader.isProfile(f)) continue;
          p = null;
          for (ProfileInput in : ProfileReader.read(f, f.toString()).inputs()) if (in.profile().valueIndex("cpu") >= 0) p = in.profile();
        } catch (IOException | RuntimeException e) {
          unreadable++;
          continue;
        }
        if (p == null) continue;
        int cpu = p.valueIndex("cpu");
        if (cpu < 0) continue; // a wall-clock profile
        Profile init = p.filter(s -> "init".equals(s.strLabel("phase")));
        if (init.samples().isEmpty()) continue;
        runs.add(f.toAbsolutePath().getParent());
        add(frames, FrameStats.top(init, cpu, Integer.MAX_VALUE));
        add(packages, FrameStats.topPackages(init, cpu, Integer.MAX_VALUE));
      }
    }

    private static void add(Map<String, Long> into, List<FrameStat> stats) {
      for (FrameStat s : stats) if (s.selfValue() > 0) into.merge(s.frame(), s.selfValue(), Long::sum);
    }
  }
}
