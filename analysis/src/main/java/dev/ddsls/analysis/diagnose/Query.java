package dev.ddsls.analysis.diagnose;

import java.time.Instant;

/** What to fetch: all fields optional (null = no filter). {@code traceId} is an unsigned decimal. */
public record Query(String service, String function, String env, Instant from, Instant to, String traceId) {
  public boolean inWindow(long epochNanos) {
    if (epochNanos == 0) return true;
    if (from != null && epochNanos < from.getEpochSecond() * 1_000_000_000L + from.getNano()) return false;
    return to == null || epochNanos <= to.getEpochSecond() * 1_000_000_000L + to.getNano();
  }
}
