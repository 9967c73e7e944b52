package dev.ddsls.cli.profile;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.cli.Cli;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Which samples of the input profiles a subcommand uses: one value type ({@code --type}, default cpu, else wall,
 * else the first profile's time value) and optionally one phase ({@code --phase}).
 */
final class Selection {
  /** The agent's phases; the last two are SnapStart's (the afterRestore hooks, and the first invocation after them). */
  static final List<String> PHASES = List.of("init", "invocation", "idle", "restore", "first_invocation_after_restore");

  @Option(names = "--phase", paramLabel = "PHASE",
      description = "Only samples labelled phase=PHASE: init, invocation, idle; SnapStart: restore, first_invocation_after_restore.")
  String phase;

  @Option(names = "--type", paramLabel = "TYPE", description = "Value type: cpu, wall, ... Default: cpu, else wall.")
  String type;

  /** The samples of the chosen type and phase, merged into one profile. */
  MergedProfile apply(List<ProfileInput> inputs) {
    if (phase != null && !PHASES.contains(phase)) {
      throw Cli.Failure.usage("unknown --phase " + phase + ": " + String.join(", ", PHASES));
    }
    String kind = type != null ? type : MergedProfile.defaultKind(inputs);
    MergedProfile m = MergedProfile.of(inputs, kind, phase);
    if (m == null) throw Cli.Failure.usage("no " + kind + " profile among the inputs");
    return m;
  }

  /**
   * How many cold starts (with {@code --phase init}) or invocations ({@code --phase invocation}) the samples cover, by
   * their distinct {@code local root span id}; 0 when no such phase is chosen or a sample names no invocation: then
   * values stay sums over the files.
   */
  int units(MergedProfile m) {
    if (unit() == null) return 0;
    Set<Long> ids = new HashSet<>();
    for (ProfileSample s : m.profile().samples()) {
      Long id = s.numLabels().get("local root span id");
      if (id == null) return 0;
      ids.add(id);
    }
    return ids.size();
  }

  /** What {@link #units} counts: "cold start", "invocation", or null (no phase, or idle). */
  String unit() {
    if (InitBreakdown.INIT.equals(phase)) return "cold start";
    return "invocation".equals(phase) || "first_invocation_after_restore".equals(phase) ? "invocation"
        : "restore".equals(phase) ? "restore" : null;
  }

  String describe(MergedProfile m) {
    return m.type().type() + " samples of " + m.profiles() + (m.profiles() == 1 ? " profile" : " profiles")
        + (phase == null ? "" : ", phase=" + phase);
  }
}
