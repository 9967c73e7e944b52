package dev.ddsls.agent.lambda;

import dev.ddsls.agent.AgentLog;
import dev.ddsls.agent.Timeline;
import dev.ddsls.agent.trace.Ids;
import dev.ddsls.agent.trace.InvocationTrace;
import dev.ddsls.agent.trace.TraceSettings;
import dev.ddsls.api.internal.Current;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows invocations from what the Runtime API proxy reports. Does as little as possible on the proxy's
 * threads: spans are built and profiles attributed later, by the flusher, after the response has gone out.
 */
public final class InvocationTracker implements InvocationListener {
  /** What to do when an invocation has ended and when the runtime asks for the next one. */
  public interface FlushControl {
    void invocationEnded(Invocation invocation);

    /** Blocks until the flush under way is done, at most the flush budget. */
    void awaitFlush();
  }

  /** Memory bound: finished invocations waiting for the flusher (oldest dropped beyond this). */
  static final int MAX_PENDING = 10_000;

  private final Timeline timeline;
  private volatile FlushControl flush;
  private volatile TraceSettings tracing;
  private final List<Invocation> finished = new ArrayList<>();
  private volatile Invocation current;
  private volatile Invocation cold;
  private volatile String initError;
  private long count;
  private long droppedInvocations;

  public InvocationTracker(Timeline timeline) { this.timeline = timeline; }

  public void setFlushControl(FlushControl flush) { this.flush = flush; }

  /** Turns on per-invocation traces, published to {@code dev.ddsls.api.TraceContext.current()}. */
  public void setTracing(TraceSettings tracing) { this.tracing = tracing; }

  @Override public void onNextRequested(long nanoTime) {
    FlushControl f = flush;
    if (f != null) f.awaitFlush();
  }

  @Override public void onNextForwarded(long nanoTime) { timeline.endInit(nanoTime); }

  @Override public void onInvocation(InvocationEvent event) {
    Invocation inv;
    synchronized (this) {
      inv = new Invocation(event, Ids.newId(), count++ == 0 && initError == null);
      if (inv.coldStart) cold = inv;
    }
    TraceSettings t = tracing;
    if (t != null) {
      // Cheap on purpose: the ids are resolved on the handler's first TraceContext.current() or at flush.
      inv.trace = new InvocationTrace(event, inv.spanId, t);
      Current.set(inv.trace);
    }
    current = inv;
  }

  @Override public void onResponse(String requestId, long nanoTime, int responseBytes) { end(requestId, nanoTime, false, null, null); }

  @Override public void onInvocationError(String requestId, long nanoTime, String errorType, byte[] body) {
    end(requestId, nanoTime, true, errorType, errorMessage(body));
  }

  @Override public void onInitError(long nanoTime, String errorType, byte[] body) {
    initError = errorType == null ? "init error" : errorType;
    timeline.endInit(nanoTime);
  }

  private void end(String requestId, long nanoTime, boolean error, String errorType, String message) {
    Invocation inv = current;
    if (inv == null || (requestId != null && !requestId.equals(inv.event.requestId))) {
      AgentLog.once("unknown-request", "a response for an unknown request id reached the proxy; not traced");
      return;
    }
    inv.error = error;
    inv.errorType = errorType;
    inv.errorMessage = message;
    inv.endNanos = nanoTime;
    current = null;
    if (inv.trace != null) Current.clear(inv.trace);
    synchronized (this) {
      if (finished.size() >= MAX_PENDING) {
        finished.remove(0);
        droppedInvocations++;
      }
      finished.add(inv);
    }
    FlushControl f = flush;
    if (f != null) f.invocationEnded(inv);
  }

  /**
   * At shutdown: waits up to {@code waitMillis} for the invocation under way to end (its response may be on the
   * proxy's thread right now); if it does not, ends it as an error, so that its span is still sent.
   */
  public void endAtShutdown(long waitMillis) {
    long end = System.nanoTime() + waitMillis * 1_000_000L;
    while (current != null && System.nanoTime() < end) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    Invocation inv = current;
    if (inv != null) end(inv.event.requestId, System.nanoTime(), true, "Runtime.Shutdown", "the function shut down during this invocation");
  }

  /** Takes the finished invocations, oldest first. */
  public synchronized List<Invocation> drainFinished() {
    List<Invocation> out = new ArrayList<>(finished);
    finished.clear();
    return out;
  }

  /** The invocation that followed init (the cold start), or null before it. */
  public Invocation coldInvocation() { return cold; }

  /** The invocation running now, or null. */
  public Invocation current() { return current; }

  public String initError() { return initError; }

  /** {@code errorMessage} from the runtime's error body ({@code {"errorMessage":..,"errorType":..}}), bounded. */
  static String errorMessage(byte[] body) {
    if (body == null || body.length == 0) return null;
    String s = new String(body, 0, Math.min(body.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
    try {
      Object v = dev.ddsls.agent.trace.Json.at(dev.ddsls.agent.trace.Json.parse(s), "errorMessage");
      if (v instanceof String) return (String) v;
    } catch (IllegalArgumentException ignored) {
      // not JSON (or cut at 4 KiB): keep the text
    }
    return s.length() > 256 ? s.substring(0, 256) : s;
  }
}
