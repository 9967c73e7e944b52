package dev.ddsls.cli.coldstart;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** One queued invocation of the emulator: its event, the headers it is handed out with, and what became of it. */
public final class Invocation {
  /** How the runtime answered: a response, or an error with the type and message from its body. */
  public record Outcome(long nanos, boolean error, byte[] body, String errorType, String errorMessage) {}

  public final String requestId = UUID.randomUUID().toString();
  public final String traceHeader = XRayTraceHeader.fresh();
  final byte[] event;
  final CompletableFuture<Long> handedOut = new CompletableFuture<>();
  final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
  private final CompletableFuture<Long> durationEnd = new CompletableFuture<>();
  /** Parties (the runtime, each extension registered for INVOKE at hand-out) that have not asked for their next event. */
  private int partsLeft;
  private long lastAsk = Long.MIN_VALUE; // nanoTime may be negative

  Invocation(byte[] event) { this.event = event; }

  /** Completes with the System.nanoTime at which the runtime received the event. */
  public CompletableFuture<Long> handedOut() { return handedOut; }

  /** Completes when the runtime posts the response or the error. */
  public CompletableFuture<Outcome> outcome() { return outcome; }

  /**
   * Completes with the System.nanoTime at which the last of the runtime and the extensions registered for INVOKE asked
   * for its next event after this one: where Lambda's billed Duration ends.
   */
  public CompletableFuture<Long> durationEnd() { return durationEnd; }

  /** Called before the event goes out, so that no party's ask can arrive before it is counted. */
  synchronized void expectAsks(int parties) { partsLeft = parties; }

  /** One party asked for its next event at {@code nanos}; the last ask ends the Duration. */
  synchronized void asked(long nanos) {
    if (partsLeft == 0) return;
    lastAsk = Math.max(lastAsk, nanos);
    if (--partsLeft == 0) durationEnd.complete(lastAsk);
  }
}
