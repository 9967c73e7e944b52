package dev.ddsls.api;

import dev.ddsls.api.internal.ActiveSpan;
import dev.ddsls.api.internal.Current;
import dev.ddsls.api.internal.HeaderWriter;
import dev.ddsls.api.internal.Mdc;
import java.util.Collections;
import java.util.Map;

/**
 * The trace context of the invocation running now, for outgoing calls and log correlation. Under the ddsls agent
 * it is the invocation's {@code aws.lambda} span; without the agent it is inactive: empty headers, ids "0", and
 * nothing ever throws.
 *
 * <pre>
 *   Map&lt;String, String&gt; h = TraceContext.current().headers();   // add to an HTTP request
 *   String dd = TraceContext.current().datadogJson();             // SQS/SNS attribute or EventBridge detail "_datadog"
 * </pre>
 */
public final class TraceContext {
  private static final TraceContext INACTIVE = new TraceContext(0, 0, 0, 0, null, null, null, null, null);
  private static final String[] MDC_KEYS = {"dd.trace_id", "dd.span_id", "dd.service", "dd.env", "dd.version"};

  private final long traceLow;
  private final long traceHigh;
  private final long spanId;
  private final int priority;
  private final String origin;
  private final String ptags;
  private final String service;
  private final String env;
  private final String version;

  private TraceContext(long traceLow, long traceHigh, long spanId, int priority, String origin, String ptags,
                       String service, String env, String version) {
    this.traceLow = traceLow;
    this.traceHigh = traceHigh;
    this.spanId = spanId;
    this.priority = priority;
    this.origin = origin;
    this.ptags = ptags;
    this.service = service;
    this.env = env;
    this.version = version;
  }

  /** The running invocation's context, or an inactive one (never null). With DD_LOGS_INJECTION=true it also fills the MDC. */
  public static TraceContext current() {
    try {
      ActiveSpan a = Current.get();
      if (a == null) return INACTIVE;
      TraceContext c = new TraceContext(a.traceIdLow(), a.traceIdHigh(), a.spanId(), a.samplingPriority(), a.origin(),
          a.propagationTags(), a.service(), a.env(), a.version());
      if (c.spanId == 0) return INACTIVE;
      if (a.logsInjection()) c.putInMdc();
      return c;
    } catch (Throwable t) {
      return INACTIVE;
    }
  }

  public boolean isActive() { return spanId != 0; }

  /** Trace id as Datadog logs correlate it: unsigned decimal of the low 64 bits; "0" when inactive. */
  public String traceId() { return Long.toUnsignedString(traceLow); }

  /** The full trace id as 32 hex digits (128-bit), for W3C-style correlation. */
  public String traceIdHex() { return HeaderWriter.hex16(traceHigh) + HeaderWriter.hex16(traceLow); }

  /** Span id of the invocation span, unsigned decimal; "0" when inactive. */
  public String spanId() { return Long.toUnsignedString(spanId); }

  public int samplingPriority() { return priority; }

  /** Headers for an outgoing call: Datadog and W3C styles; empty when inactive. */
  public Map<String, String> headers() {
    if (!isActive()) return Collections.emptyMap();
    return Collections.unmodifiableMap(HeaderWriter.headers(traceLow, traceHigh, spanId, priority, origin, ptags));
  }

  /** The {@code _datadog} value for SQS/SNS message attributes or EventBridge detail; "{}" when inactive. */
  public String datadogJson() {
    if (!isActive()) return "{}";
    return HeaderWriter.json(HeaderWriter.headers(traceLow, traceHigh, spanId, priority, origin, ptags));
  }

  /**
   * Puts dd.trace_id, dd.span_id, dd.service, dd.env and dd.version into the SLF4J MDC and the Log4j 2
   * ThreadContext of the calling thread, where the function has them. Call it at the start of the handler.
   */
  public void putInMdc() {
    if (!isActive()) return;
    Mdc.put(MDC_KEYS, new String[] {traceId(), spanId(), service, env, version});
  }

  @Override public String toString() { return isActive() ? "dd.trace_id=" + traceId() + " dd.span_id=" + spanId() : "inactive"; }
}
