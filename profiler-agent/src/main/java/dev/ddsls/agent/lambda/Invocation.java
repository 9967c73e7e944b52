package dev.ddsls.agent.lambda;

/** One invocation as the agent follows it: its window in time, its span id, how it ended. */
public final class Invocation {
  public final InvocationEvent event;
  public final long spanId;
  public final boolean coldStart;
  /** {@link System#nanoTime()} when the event arrived and when the response (or error) was forwarded; 0 while running. */
  public final long startNanos;
  public volatile long endNanos;
  public volatile boolean error;
  public volatile String errorType;
  public volatile String errorMessage;
  /** Its trace (ids resolved lazily), when tracing is set up; else null. */
  public volatile dev.ddsls.agent.trace.InvocationTrace trace;

  public Invocation(InvocationEvent event, long spanId, boolean coldStart) {
    this.event = event;
    this.spanId = spanId;
    this.coldStart = coldStart;
    this.startNanos = event.receivedNanos;
  }

  public boolean contains(long nanoTime) { return nanoTime >= startNanos && (endNanos == 0 || nanoTime <= endNanos); }
}
