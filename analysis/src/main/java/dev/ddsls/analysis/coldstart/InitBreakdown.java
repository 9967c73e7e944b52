package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What init spent its time on, from the samples the agent labelled {@code phase=init}, merged over any number of
 * profiles (one per cold start, or several): CPU and wall time per cold start, the hottest frames (self), the
 * function's own frames on the init path (total), and the packages.
 */
public record InitBreakdown(int coldStarts, double cpuMsPerColdStart, double wallMsPerColdStart, long cpuSamples,
                            List<FrameStat> hotFrames, List<FrameStat> ownFrames, List<FrameStat> packages) {
  public static final String PHASE = "phase";
  public static final String INIT = "init";

  /** @param limit rows per table */
  public static InitBreakdown of(List<Profile> cpuProfiles, List<Profile> wallProfiles, int limit) {
    return of(cpuProfiles, wallProfiles, limit, null);
  }

  /** @param ownCode what the function's own code is */
  public static InitBreakdown of(List<Profile> cpuProfiles, List<Profile> wallProfiles, int limit, OwnCode ownCode) {
    Profile cpu = initSamples(cpuProfiles);
    Profile wall = initSamples(wallProfiles);
    int coldStarts = Math.max(coldStarts(cpu), coldStarts(wall));
    int n = Math.max(1, coldStarts);
    List<FrameStat> own = new ArrayList<>();
    if (cpu != null) {
      for (FrameStat f : FrameStats.top(cpu, 1, Integer.MAX_VALUE)) {
        if (!FrameStats.isLibrary(f.frame(), ownCode)) own.add(f);
      }
      own.sort((a, b) -> Long.compare(b.totalValue(), a.totalValue()));
    }
    return new InitBreakdown(coldStarts,
        cpu == null ? 0 : cpu.total(1) / 1e6 / n,
        wall == null ? 0 : wall.total(1) / 1e6 / n,
        cpu == null ? 0 : cpu.total(0),
        cpu == null ? List.of() : FrameStats.top(cpu, 1, limit),
        own.subList(0, Math.min(limit, own.size())),
        cpu == null ? List.of() : FrameStats.topPackages(cpu, 1, limit));
  }

  /** All init samples of the profiles in one profile (null when there are none). */
  public static Profile initSamples(List<Profile> profiles) {
    if (profiles == null || profiles.isEmpty()) return null;
    List<ProfileSample> samples = new ArrayList<>();
    for (Profile p : profiles) {
      for (ProfileSample s : p.samples()) {
        if (INIT.equals(s.strLabel(PHASE))) samples.add(s);
      }
    }
    if (samples.isEmpty()) return null;
    Profile first = profiles.get(0);
    return new Profile(first.sampleTypes(), first.periodType(), first.period(), first.timeNanos(), first.durationNanos(),
        first.comments(), samples);
  }

  /** Distinct cold invocations the init samples belong to (their {@code local root span id}). */
  private static int coldStarts(Profile p) {
    if (p == null) return 0;
    Set<Long> ids = new HashSet<>();
    for (ProfileSample s : p.samples()) {
      Long id = s.numLabels().get("local root span id");
      if (id != null) ids.add(id);
    }
    return ids.isEmpty() ? 1 : ids.size();
  }
}
