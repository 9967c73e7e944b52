package dev.ddsls.api.internal;

/**
 * The invocation span the ddsls agent is running now, as the agent exposes it to {@link dev.ddsls.api.TraceContext}.
 * Implemented by the agent only; its ids may be resolved lazily on the first call.
 */
public interface ActiveSpan {
  /** Low 64 bits of the trace id (unsigned). */
  long traceIdLow();

  /** High 64 bits of a 128-bit trace id, 0 for a 64-bit trace. */
  long traceIdHigh();

  long spanId();

  /** -1, 0, 1 or 2 (Datadog's USER_REJECT, AUTO_REJECT, AUTO_KEEP, USER_KEEP). */
  int samplingPriority();

  /** {@code x-datadog-origin}, or null. */
  String origin();

  /** Propagation tags other than {@code _dd.p.tid}, {@code _dd.p.k=v} joined by commas, or null. */
  String propagationTags();

  String service();

  String env();

  String version();

  /** {@code DD_LOGS_INJECTION=true}: every {@code TraceContext.current()} also fills the logging MDC. */
  boolean logsInjection();
}
