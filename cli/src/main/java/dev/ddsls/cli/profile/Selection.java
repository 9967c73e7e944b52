package dev.ddsls.cli.profile;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.coldstart.ProfileInput;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import dev.ddsls.cli.Cli;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which samples of the input profiles a subcommand uses: one value type ({@code --type}, default cpu, else wall,
 * else the first profile's time value) and optionally one phase ({@code --phase}).
 */
final class Selection {
  @Option(names = "--phase", paramLabel = "PHASE", description = "Only samples labelled phase=PHASE: init, invocation or idle.")
  String phase;

  @Option(names = "--type", paramLabel = "TYPE", description = "Value type: cpu, wall, ... Default: cpu, else wall.")
  String type;

  /** The samples of the chosen type and phase, merged into one profile. */
  Merged apply(List<ProfileInput> inputs) {
    if (phase != null && !List.of("init", "invocation", "idle").contains(phase)) {
      throw Cli.Failure.usage("unknown --phase " + phase + ": init, invocation or idle");
    }
    String kind = type;
    if (kind == null) {
      for (String k : List.of("cpu", "wall")) {
        if (kind == null && inputs.stream().anyMatch(p -> p.kind().equals(k))) kind = k;
      }
      if (kind == null && !inputs.isEmpty()) kind = inputs.get(0).kind();
    }
    List<ProfileInput> chosen = new ArrayList<>();
    for (ProfileInput p : inputs) if (p.kind().equals(kind)) chosen.add(p);
    if (chosen.isEmpty()) throw Cli.Failure.usage("no " + kind + " profile among the inputs");
    Profile first = chosen.get(0).profile();
    boolean sameTypes = chosen.stream().allMatch(p -> p.profile().sampleTypes().equals(first.sampleTypes()));
    List<ProfileSample> samples = new ArrayList<>();
    for (ProfileInput in : chosen) {
      int vi = in.timeIndex();
      for (ProfileSample s : in.profile().samples()) {
        if (phase != null && !phase.equals(s.strLabel(InitBreakdown.PHASE))) continue;
        // Profiles of different layouts keep only the chosen value.
        samples.add(sameTypes ? s : new ProfileSample(s.stack(), s.lines(), new long[] {s.value(vi)}, s.strLabels(), s.numLabels()));
      }
    }
    List<ValueType> types = sameTypes ? first.sampleTypes() : List.of(first.sampleTypes().get(chosen.get(0).timeIndex()));
    long start = Long.MAX_VALUE, end = 0;
    for (ProfileInput in : chosen) {
      Profile p = in.profile();
      if (p.timeNanos() > 0) {
        start = Math.min(start, p.timeNanos());
        end = Math.max(end, p.timeNanos() + p.durationNanos());
      }
    }
    Profile merged = new Profile(types, first.periodType(), first.period(), start == Long.MAX_VALUE ? 0 : start,
        start == Long.MAX_VALUE ? 0 : end - start, first.comments(), samples);
    ProfileInput m = new ProfileInput("merged", merged);
    return new Merged(merged, m.timeIndex(), merged.sampleTypes().get(m.timeIndex()), chosen.size());
  }

  /**
   * How many cold starts (with {@code --phase init}) or invocations ({@code --phase invocation}) the samples cover, by
   * their distinct {@code local root span id}; 0 when no such phase is chosen or a sample names no invocation: then
   * values stay sums over the files.
   */
  int units(Merged m) {
    if (unit() == null) return 0;
    java.util.Set<Long> ids = new java.util.HashSet<>();
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
    return "invocation".equals(phase) ? "invocation" : null;
  }

  String describe(Merged m) {
    return m.type().type() + " samples of " + m.profiles() + (m.profiles() == 1 ? " profile" : " profiles")
        + (phase == null ? "" : ", phase=" + phase);
  }

  /** The merged profile and its value index, type and unit, and how many profiles went into it. */
  record Merged(Profile profile, int valueIndex, ValueType type, int profiles) {
    String format(long v) {
      return type.unit().equals("nanoseconds") ? String.format(java.util.Locale.ROOT, "%.1f ms", v / 1e6) : v + " " + type.unit();
    }
  }
}
