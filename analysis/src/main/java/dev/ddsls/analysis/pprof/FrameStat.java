package dev.ddsls.analysis.pprof;

/**
 * One frame's (or package's) share of a profile value: self = in samples where it is the leaf, total = in samples
 * where it is anywhere on the stack (counted once per sample). Percentages are of the profile's total.
 */
public record FrameStat(String frame, long selfValue, long totalValue, double selfPct, double totalPct) {}
