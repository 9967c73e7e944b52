package dev.ddsls.agent.lambda;

import java.util.Map;

/** What the Runtime API's {@code /invocation/next} answered: one invocation's headers and event payload. */
public final class InvocationEvent {
  public final String requestId;
  /** {@code Lambda-Runtime-Deadline-Ms}, epoch ms; 0 when absent. */
  public final long deadlineMs;
  public final String functionArn;
  /** {@code Lambda-Runtime-Trace-Id}: the X-Ray header, or null. */
  public final String xrayTraceHeader;
  /** {@code Lambda-Runtime-Client-Context}, or null. */
  public final String clientContext;
  /** All response headers, names lower-cased. */
  public final Map<String, String> headers;
  /** The event JSON exactly as the runtime receives it; the proxy may share this array with what it forwards: read only. */
  public final byte[] payload;
  /** {@link System#nanoTime()} when the event arrived from the Runtime API. */
  public final long receivedNanos;

  public InvocationEvent(String requestId, long deadlineMs, String functionArn, String xrayTraceHeader, String clientContext,
                         Map<String, String> headers, byte[] payload, long receivedNanos) {
    this.requestId = requestId;
    this.deadlineMs = deadlineMs;
    this.functionArn = functionArn;
    this.xrayTraceHeader = xrayTraceHeader;
    this.clientContext = clientContext;
    this.headers = headers;
    this.payload = payload;
    this.receivedNanos = receivedNanos;
  }
}
