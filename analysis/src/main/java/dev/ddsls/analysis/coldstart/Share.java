package dev.ddsls.analysis.coldstart;

/** Milliseconds per cold start a frame (or group) accounts for, and its percentage of the whole it was taken from. */
public record Share(String frame, double ms, double pct) {}
