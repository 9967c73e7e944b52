package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.pprof.ProfileInput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The samples behind a function's flame graphs, merged per graph, so that a renderer needs only the report: init
 * (CPU profiles, wall when there are none), init wall-clock (only beside a CPU graph) and invocations (the init graph's
 * kind). A member is null when there is no profile for its graph.
 */
public record FlameSamples(MergedProfile init, MergedProfile initWall, MergedProfile invocation) {
  public static final FlameSamples NONE = new FlameSamples(null, null, null);

  /**
   * From the profiles the init analysis read ({@code init.profileIds}); without an init analysis (a running service's
   * profiles: requests, no cold start) from all the function's cpu and wall profiles, whose invocations are drawn.
   */
  static FlameSamples of(InitAnalysis init, List<ProfileInput> profiles) {
    Set<String> ids = init == null ? null : new HashSet<>(init.profileIds());
    List<ProfileInput> used = new ArrayList<>();
    boolean cpu = false;
    for (ProfileInput p : profiles) {
      if (ids != null ? !ids.contains(p.id()) : !p.kind().equals("cpu") && !p.kind().equals("wall")) continue;
      used.add(p);
      cpu |= p.kind().equals("cpu");
    }
    String kind = cpu ? "cpu" : "wall";
    return new FlameSamples(MergedProfile.of(used, kind, InitBreakdown.INIT), cpu ? MergedProfile.of(used, "wall", InitBreakdown.INIT) : null,
        MergedProfile.of(used, kind, "invocation"));
  }
}
