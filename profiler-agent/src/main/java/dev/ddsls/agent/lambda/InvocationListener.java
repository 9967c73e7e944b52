package dev.ddsls.agent.lambda;

/**
 * What the Runtime API proxy tells the agent. The proxy calls these on its own threads, catches anything they
 * throw, and forwards every call unchanged whatever they do.
 */
public interface InvocationListener {
  /**
   * The runtime asked for the next invocation ({@code GET /invocation/next}); called before the request goes
   * upstream. May block for at most the flush budget: this is where the agent finishes flushing what the previous
   * invocation produced.
   */
  void onNextRequested(long nanoTime);

  /**
   * That request has been sent upstream: the first time marks the end of init, as the platform sees it (Lambda's
   * Init Duration ends when its Runtime API gets the first {@code /next}, the proxy's own hop included).
   */
  default void onNextForwarded(long nanoTime) {}

  /** An invocation arrived from upstream; called before it is handed to the runtime. Must return quickly. */
  void onInvocation(InvocationEvent event);

  /** The runtime's response for {@code requestId} was forwarded and upstream answered. */
  void onResponse(String requestId, long nanoTime, int responseBytes);

  /** The runtime reported an invocation error ({@code /invocation/{id}/error}), after forwarding. */
  void onInvocationError(String requestId, long nanoTime, String errorType, byte[] body);

  /** The runtime reported an init error ({@code /init/error}), after forwarding. */
  void onInitError(long nanoTime, String errorType, byte[] body);

  /**
   * SnapStart: the runtime asked for {@code /restore/next} (its beforeCheckpoint hooks have run); called before the
   * request goes upstream, after which the snapshot may be taken at any moment. May block for a bounded time: this
   * is where the agent sends what it has from before the snapshot.
   */
  default void onCheckpoint(long nanoTime) {}

  /**
   * SnapStart: {@code /restore/next} answered 200, so this is a restored copy; called before the answer reaches the
   * runtime (and its afterRestore hooks run). Must return quickly.
   */
  default void onRestored(long nanoTime) {}

  /** SnapStart: the runtime reported an afterRestore failure ({@code /restore/error}), after forwarding. */
  default void onRestoreError(long nanoTime, String errorType) {}
}
