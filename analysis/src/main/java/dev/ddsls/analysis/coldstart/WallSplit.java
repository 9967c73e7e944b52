package dev.ddsls.analysis.coldstart;

import java.util.Map;

/**
 * Where the wall time of the sampled init thread(s) went, ms per cold start: on a CPU (their CPU samples), runnable
 * but not running (wall samples in state running beyond their CPU: CPU contention or Lambda's CPU quota), blocked in
 * the kernel (by kind, see {@link BlockingFrames}), and unclassified (wall minus CPU of samples without a state
 * label and without a recognised blocking leaf: older profiles and JFR). {@code stateLabelled} says whether any
 * wall sample carried a {@code thread state} label. {@code sampledWallMs} is the wall of the thread sampled longest
 * (the init thread): the part of init the profile covers.
 */
public record WallSplit(double onCpuMs, double runnableMs, double blockedMs, Map<String, Double> blockedByKind,
                        double unclassifiedMs, boolean stateLabelled, double sampledWallMs) {
  public static final WallSplit NONE = new WallSplit(0, 0, 0, Map.of(), 0, false, 0);

  public double wallMs() { return onCpuMs + runnableMs + blockedMs + unclassifiedMs; }
}
