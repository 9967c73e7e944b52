package dev.ddsls.analysis.pprof;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Profiles of one kind merged into one, optionally only the samples of one phase ({@code phase} label): what a flame
 * graph, {@code profile top} and {@code profile diff} read. {@code valueIndex} is the time value (cpu or wall
 * nanoseconds), {@code type} its type, {@code profiles} how many profiles went in.
 */
public record MergedProfile(Profile profile, int valueIndex, ValueType type, int profiles) {
  /** The label naming the phase a sample was taken in (init, invocation, idle), as the agent writes it. */
  private static final String PHASE = "phase";

  /** The kind to use when none is asked for: cpu, else wall, else the first profile's; null without inputs. */
  public static String defaultKind(List<ProfileInput> inputs) {
    for (String k : List.of("cpu", "wall")) {
      if (inputs.stream().anyMatch(p -> p.kind().equals(k))) return k;
    }
    return inputs.isEmpty() ? null : inputs.get(0).kind();
  }

  /**
   * The samples of the inputs of {@code kind}, only those labelled {@code phase} unless it is null; null when no
   * input is of that kind. Profiles of different layouts keep only their time value.
   */
  public static MergedProfile of(List<ProfileInput> inputs, String kind, String phase) {
    List<ProfileInput> chosen = new ArrayList<>();
    for (ProfileInput p : inputs) if (p.kind().equals(kind)) chosen.add(p);
    if (chosen.isEmpty()) return null;
    Profile first = chosen.get(0).profile();
    boolean sameTypes = chosen.stream().allMatch(p -> p.profile().sampleTypes().equals(first.sampleTypes()));
    List<ProfileSample> samples = new ArrayList<>();
    for (ProfileInput in : chosen) {
      int vi = in.timeIndex();
      for (ProfileSample s : in.profile().samples()) {
        if (phase != null && !phase.equals(s.strLabel(PHASE))) continue;
        samples.add(sameTypes ? s : s.withValues(new long[] {s.value(vi)}));
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
    int vi = new ProfileInput("merged", merged).timeIndex();
    return new MergedProfile(merged, vi, merged.sampleTypes().get(vi), chosen.size());
  }

  /** The kind of the merged samples: cpu, wall, or another value type. */
  public String kind() { return type.type(); }

  /** A value in the profile's unit: milliseconds for nanoseconds. */
  public String format(long v) {
    return type.unit().equals("nanoseconds") ? String.format(Locale.ROOT, "%.1f ms", v / 1e6) : v + " " + type.unit();
  }
}
