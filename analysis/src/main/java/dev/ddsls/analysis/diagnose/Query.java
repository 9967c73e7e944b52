package dev.ddsls.analysis.diagnose;

import dev.ddsls.analysis.trace.Span;
import java.time.Instant;

/**
 * What to fetch: all fields optional (null = no filter). {@code traceId} is an unsigned decimal (the low 64 bits,
 * which every span of a trace carries) or 32 hex digits (a whole 128-bit id).
 */
public record Query(String service, String function, String env, Instant from, Instant to, String traceId) {
  public boolean inWindow(long epochNanos) {
    if (epochNanos == 0) return true;
    if (from != null && epochNanos < from.getEpochSecond() * 1_000_000_000L + from.getNano()) return false;
    return to == null || epochNanos <= to.getEpochSecond() * 1_000_000_000L + to.getNano();
  }

  /** The low 64 bits of {@link #traceId} as an unsigned decimal (null without one): what every span of the trace carries. */
  public String traceIdLow() {
    if (traceId == null || traceId.length() != 32) return traceId;
    return Long.toUnsignedString(Long.parseUnsignedLong(traceId.substring(16), 16));
  }

  /** Whether {@code s} belongs to the trace {@link #traceId} names (true without one). */
  public boolean matchesTrace(Span s) {
    if (traceId == null) return true;
    if (traceId.length() == 32) return traceId.equalsIgnoreCase(Span.traceIdText(s.traceIdHigh(), s.traceId()));
    return Long.toUnsignedString(s.traceId()).equals(traceId);
  }
}
