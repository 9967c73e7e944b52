package dev.ddsls.analysis.pprof;


/** A profile with the id it came from (file name, collector id), so every number can be traced back to it. */
public record ProfileInput(String id, Profile profile) {
  /** {@code cpu}, {@code wall}, or another sample type: the type of value 1 (value 0 is the sample count). */
  public String kind() {
    int cpu = profile.valueIndex("cpu");
    if (cpu >= 0) return "cpu";
    if (profile.valueIndex("wall") >= 0) return "wall";
    return profile.sampleTypes().isEmpty() ? "" : profile.sampleTypes().get(profile.sampleTypes().size() - 1).type();
  }

  /** Index of the time value (cpu or wall nanoseconds), else the last value. */
  public int timeIndex() {
    int i = profile.valueIndex(kind());
    return i >= 0 ? i : profile.sampleTypes().size() - 1;
  }
}
