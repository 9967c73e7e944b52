package dev.ddsls.analysis.pprof;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A decoded pprof profile: the parts ddsls analyses, with frames and labels resolved to strings. */
public final class Profile {
  private final List<ValueType> sampleTypes;
  private final ValueType periodType;
  private final long period;
  private final long timeNanos;
  private final long durationNanos;
  private final List<String> comments;
  private final List<ProfileSample> samples;

  public Profile(List<ValueType> sampleTypes, ValueType periodType, long period, long timeNanos,
                 long durationNanos, List<String> comments, List<ProfileSample> samples) {
    this.sampleTypes = List.copyOf(sampleTypes);
    this.periodType = periodType;
    this.period = period;
    this.timeNanos = timeNanos;
    this.durationNanos = durationNanos;
    this.comments = List.copyOf(comments);
    this.samples = List.copyOf(samples);
  }

  public List<ValueType> sampleTypes() { return sampleTypes; }

  /** The period's type; {@code ("", "")} when the profile has none. */
  public ValueType periodType() { return periodType; }

  public long period() { return period; }

  /** Collection start, nanoseconds since the epoch; 0 when absent. */
  public long timeNanos() { return timeNanos; }

  public long durationNanos() { return durationNanos; }

  public List<String> comments() { return comments; }

  public List<ProfileSample> samples() { return samples; }

  /** Index of the first sample type named {@code type} (e.g. "cpu"), or -1. */
  public int valueIndex(String type) {
    for (int i = 0; i < sampleTypes.size(); i++) {
      if (sampleTypes.get(i).type().equals(type)) return i;
    }
    return -1;
  }

  /**
   * The value of the first {@code key=value} comment for {@code key} ("service" and "service=" both work),
   * or null if there is none.
   */
  public String comment(String keyPrefix) {
    String prefix = keyPrefix.endsWith("=") ? keyPrefix : keyPrefix + "=";
    for (String c : comments) {
      if (c.startsWith(prefix)) return c.substring(prefix.length());
    }
    return null;
  }

  /** Sum of value {@code valueIndex} over all samples. */
  public long total(int valueIndex) {
    long sum = 0;
    for (ProfileSample s : samples) sum += s.value(valueIndex);
    return sum;
  }

  /** The same profile with only the samples {@code keep} accepts. */
  public Profile filter(Predicate<ProfileSample> keep) {
    List<ProfileSample> kept = new ArrayList<>();
    for (ProfileSample s : samples) {
      if (keep.test(s)) kept.add(s);
    }
    return new Profile(sampleTypes, periodType, period, timeNanos, durationNanos, comments, kept);
  }
}
