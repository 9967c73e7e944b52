package dev.ddsls.analysis.trace;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Completes 128-bit trace ids: a tracer puts {@code _dd.p.tid} on the first span of each trace chunk only, so the
 * other spans of the trace learn their high half from it. The collector does it per received trace (to index every
 * span by the whole id), diagnose over everything it read (the collector serves spans as received).
 */
public final class TraceIds {
  /** Stands for a low half seen with two different high halves: such spans keep what they carry. */
  private static final long AMBIGUOUS = 0;

  private TraceIds() {}

  /** Sets the high half of every span whose trace (by the low half) has exactly one known high half. */
  public static void completeHighHalves(List<Span> spans) {
    // Usual inputs need no map: the agent's spans all carry their high half, 64-bit traces none.
    boolean someWith = false, someWithout = false;
    for (Span s : spans) {
      if (s.traceIdHigh() != 0) someWith = true;
      else someWithout = true;
      if (someWith && someWithout) break;
    }
    if (!someWith || !someWithout) return;
    Map<Long, Long> highOf = new HashMap<>();
    for (Span s : spans) {
      if (s.traceIdHigh() == 0) continue;
      Long prior = highOf.putIfAbsent(s.traceId(), s.traceIdHigh());
      if (prior != null && prior != s.traceIdHigh()) highOf.put(s.traceId(), AMBIGUOUS);
    }
    for (int i = 0; i < spans.size(); i++) {
      Span s = spans.get(i);
      if (s.traceIdHigh() != 0) continue;
      Long high = highOf.get(s.traceId());
      if (high != null && high != AMBIGUOUS) spans.set(i, s.withTraceIdHigh(high));
    }
  }
}
