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

  Invocation(byte[] event) { this.event = event; }

  /** Completes with the System.nanoTime at which the runtime received the event. */
  public CompletableFuture<Long> handedOut() { return handedOut; }

  /** Completes when the runtime posts the response or the error. */
  public CompletableFuture<Outcome> outcome() { return outcome; }
}
