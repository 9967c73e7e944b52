package dev.ddsls.agent.trace;

import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.api.internal.ActiveSpan;
import java.nio.charset.StandardCharsets;

/**
 * One invocation as the agent follows it: its window in time, its span id, its trace, how it ended. The tracker
 * creates and ends it; the flusher attributes samples to it by time and builds its spans.
 */
public final class Invocation {
  final InvocationEvent event;
  final long spanId;
  final boolean coldStart;
  /** {@link System#nanoTime()} when the event arrived and when the response (or error) was forwarded; 0 while running. */
  final long startNanos;
  volatile long endNanos;
  volatile boolean error;
  volatile String errorType;
  volatile String errorMessage;
  /** Its trace (ids resolved lazily), when tracing is set up; else null. */
  final InvocationTrace trace;

  /**
   * @param tracing null: no trace. Cheap on purpose (the proxy's thread, before the event reaches the runtime): the
   *     trace's ids are resolved on the handler's first {@code TraceContext.current()} or at flush.
   */
  public Invocation(InvocationEvent event, boolean coldStart, TraceSettings tracing) {
    this.event = event;
    this.spanId = Ids.newId();
    this.coldStart = coldStart;
    this.startNanos = event.receivedNanos();
    this.trace = tracing == null ? null : new InvocationTrace(event, spanId, tracing);
  }

  /** Records how it ended; {@code endNanos} last, so a reader that sees the end sees the rest. */
  public void end(long nanoTime, boolean error, String errorType, String errorMessage) {
    this.error = error;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
    this.endNanos = nanoTime;
  }

  /** SnapStart: after a restore, span and trace ids start from a seed no other restored copy has. */
  public static void reseedIds() { Ids.reseed(); }

  /** A random number no other restored copy draws ({@code /dev/urandom}, else SecureRandom). */
  public static long freshRandom() { return Ids.freshSeed(); }

  public String requestId() { return event.requestId(); }

  public long spanId() { return spanId; }

  public boolean coldStart() { return coldStart; }

  public long startNanos() { return startNanos; }

  /** 0 while it runs. */
  public long endNanos() { return endNanos; }

  /** What {@code dev.ddsls.api.TraceContext.current()} answers while it runs; null when tracing is off. */
  public ActiveSpan trace() { return trace; }

  public boolean contains(long nanoTime) { return nanoTime >= startNanos && (endNanos == 0 || nanoTime <= endNanos); }

  /** {@code errorMessage} from the runtime's error body ({@code {"errorMessage":..,"errorType":..}}), bounded. */
  public static String errorMessage(byte[] body) {
    if (body == null || body.length == 0) return null;
    String s = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
    try {
      Object v = Json.at(Json.parse(s), "errorMessage");
      if (v instanceof String) return (String) v;
    } catch (IllegalArgumentException ignored) {
      // not JSON (or cut at 4 KiB): keep the text
    }
    return s.length() > 256 ? s.substring(0, 256) : s;
  }
}
