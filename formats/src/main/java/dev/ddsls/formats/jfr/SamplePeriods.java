package dev.ddsls.formats.jfr;

import java.util.HashMap;
import java.util.Map;

/**
 * The sampling period each sample event was recorded with, as the recording states it in {@code jdk.ActiveSetting}
 * events: the JDK's {@code period} setting of {@code jdk.ExecutionSample} ({@code "20 ms"}; dd-trace-java sets 9 ms),
 * and the {@code interval} setting in nanoseconds that async-profiler and dd-trace-java's profiler (ddprof) write
 * for their own sample events. A setting names its event by the type id of its chunk; it is kept by type name so
 * that it holds for the chunks after it as well.
 */
final class SamplePeriods {
  private final Map<String, Long> byType = new HashMap<>();

  /** Records one setting; anything that is not a sampling period of a sample event is ignored. */
  void setting(String eventType, String name, String value) {
    if (eventType == null || value == null) return;
    if (!"period".equals(name) && !"interval".equals(name)) return;
    long nanos = nanos(value.trim());
    if (nanos > 0) byType.put(eventType, nanos);
  }

  /** The period of {@code eventType} in nanoseconds, 0 when the recording has stated none so far. */
  long of(String eventType) {
    Long p = byType.get(eventType);
    return p == null ? 0 : p;
  }

  /**
   * A period in JFR's timespan notation ({@code "9 ms"}, {@code "1 s"}, {@code "500 us"}) or a bare number of
   * nanoseconds; 0 for anything else ({@code "everyChunk"}, {@code "off"}).
   */
  static long nanos(String value) {
    int sp = value.indexOf(' ');
    String number = sp < 0 ? value : value.substring(0, sp);
    String unit = sp < 0 ? "ns" : value.substring(sp + 1).trim();
    long n;
    try {
      n = Long.parseLong(number);
    } catch (NumberFormatException e) {
      return 0;
    }
    switch (unit) {
      case "ns": return n;
      case "us": return n * 1_000L;
      case "ms": return n * 1_000_000L;
      case "s": return n * 1_000_000_000L;
      case "m": case "min": return n * 60_000_000_000L;
      case "h": return n * 3_600_000_000_000L;
      case "d": return n * 86_400_000_000_000L;
      default: return 0;
    }
  }
}
