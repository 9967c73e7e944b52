package dev.ddsls.agent;

import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.lambda.InvocationListener;
import dev.ddsls.agent.trace.Invocation;
import dev.ddsls.agent.trace.TraceSettings;
import dev.ddsls.api.internal.Current;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows invocations from what the Runtime API proxy reports. Does as little as possible on the proxy's
 * threads: spans are built and profiles attributed later, by the flusher, after the response has gone out.
 */
final class InvocationTracker implements InvocationListener {
  /** What to do when an invocation has ended and when the runtime asks for the next one. */
  interface FlushControl {
    void invocationEnded(Invocation invocation);

    /** Blocks until the flush under way is done, at most the flush budget. */
    void awaitFlush();

    /** On demand: init has ended (the first {@code /next} went upstream). Must return at once. */
    default void initEnded() {}

    /** SnapStart, before the snapshot: sends what init produced and holds nothing back; blocks, bounded. */
    default void checkpoint() {}

    /** SnapStart, in a restored copy: re-opens what the snapshot may have broken (off the calling thread). */
    default void restored() {}
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
  /** SnapStart: what {@code /restore/error} reported, or null. */
  private volatile String restoreError;
  private long count;
  private long droppedInvocations;

  InvocationTracker(Timeline timeline) { this.timeline = timeline; }

  void setFlushControl(FlushControl flush) { this.flush = flush; }

  /** Turns on per-invocation traces, published to {@code dev.ddsls.api.TraceContext.current()}. */
  void setTracing(TraceSettings tracing) { this.tracing = tracing; }

  @Override public void onNextRequested(long nanoTime) {
    timeline.endRestore(nanoTime);
    FlushControl f = flush;
    if (f != null) f.awaitFlush();
  }

  @Override public void onNextForwarded(long nanoTime) {
    if (timeline.initEndNanos != 0) return;
    timeline.endInit(nanoTime);
    FlushControl f = flush;
    if (f != null) f.initEnded();
  }

  @Override public void onInvocation(InvocationEvent event) {
    TraceSettings t = tracing;
    Invocation inv;
    synchronized (this) {
      inv = new Invocation(event, count++ == 0 && initError == null, t);
      if (inv.coldStart()) cold = inv;
    }
    if (inv.trace() != null) Current.set(inv.trace());
    current = inv;
  }

  @Override public void onResponse(String requestId, long nanoTime, int responseBytes) { end(requestId, nanoTime, false, null, null); }

  @Override public void onInvocationError(String requestId, long nanoTime, String errorType, byte[] body) {
    end(requestId, nanoTime, true, errorType, Invocation.errorMessage(body));
  }

  @Override public void onCheckpoint(long nanoTime) {
    timeline.checkpoint(nanoTime);
    FlushControl f = flush;
    if (f != null) f.checkpoint();
  }

  @Override public void onRestored(long nanoTime) {
    timeline.restored(nanoTime);
    Invocation.reseedIds();
    FlushControl f = flush;
    if (f != null) f.restored();
  }

  @Override public void onRestoreError(long nanoTime, String errorType) {
    restoreError = errorType == null ? "restore error" : errorType;
    timeline.endRestore(nanoTime);
  }

  @Override public void onInitError(long nanoTime, String errorType, byte[] body) {
    initError = errorType == null ? "init error" : errorType;
    timeline.endInit(nanoTime);
  }

  private void end(String requestId, long nanoTime, boolean error, String errorType, String message) {
    Invocation inv = current;
    if (inv == null || (requestId != null && !requestId.equals(inv.requestId()))) {
      AgentLog.once("unknown-request", "a response for an unknown request id reached the proxy; not traced");
      return;
    }
    inv.end(nanoTime, error, errorType, message);
    current = null;
    if (inv.trace() != null) Current.clear(inv.trace());
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
  void endAtShutdown(long waitMillis) {
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
    if (inv != null) end(inv.requestId(), System.nanoTime(), true, "Runtime.Shutdown", "the function shut down during this invocation");
  }

  /** Takes the finished invocations, oldest first. */
  synchronized List<Invocation> drainFinished() {
    List<Invocation> out = new ArrayList<>(finished);
    finished.clear();
    return out;
  }

  /** The invocation that followed init (the cold start), or null before it. */
  Invocation coldInvocation() { return cold; }

  /** The invocation running now, or null. */
  Invocation current() { return current; }

  String initError() { return initError; }

  String restoreError() { return restoreError; }
}
