package dev.ddsls.analysis.pprof;

/** What a sample value measures, e.g. {@code (cpu, nanoseconds)} or {@code (samples, count)}. */
public record ValueType(String type, String unit) {
  @Override public String toString() { return type + "/" + unit; }
}
