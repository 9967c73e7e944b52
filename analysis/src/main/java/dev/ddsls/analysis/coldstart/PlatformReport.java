package dev.ddsls.analysis.coldstart;

/**
 * What Lambda itself reported about one invocation or init, without any tracer: a CloudWatch {@code REPORT} /
 * {@code INIT_REPORT} line or a Telemetry API {@code platform.report} / {@code platform.initReport} event.
 * Fields are null when the record did not carry them. {@code requestId} is null for init reports.
 */
public record PlatformReport(String requestId, Double durationMs, Double initDurationMs, Double restoreDurationMs,
                             Integer memoryMb, String initType, String status, String source) {
  /** A cold start: an init report, or an invocation report with an init or restore duration. */
  public boolean coldStart() { return initDurationMs != null || restoreDurationMs != null; }

  public boolean invocation() { return requestId != null; }
}
