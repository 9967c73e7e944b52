package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentLog;
import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.api.internal.ActiveSpan;

/**
 * The trace of one invocation, resolved once and lazily: on the handler's first {@code TraceContext.current()} or
 * at flush, whichever comes first. So {@code onInvocation} (the proxy's thread, before the event reaches the runtime)
 * only allocates this object, and the event is parsed at most once, off the response path when nobody asks.
 */
final class InvocationTrace implements ActiveSpan {
  private final InvocationEvent event;
  private final long spanId;
  private final TraceSettings settings;
  private volatile Resolved resolved;

  /** The extraction plus every id the invocation's spans will carry. */
  static final class Resolved {
    final ContextExtractor.Result extraction;
    final long traceId;
    final long traceIdHigh;
    final int samplingPriority;
    final String origin;
    final String propagationTags;
    /** Span ids of {@code extraction.trigger.hops}, same order; empty without inferred spans. */
    final long[] hopSpanIds;
    /** The invocation span's parent: the last hop, the upstream span, or 0 (root). */
    final long parentId;

    Resolved(ContextExtractor.Result r, long newTraceHigh) {
      extraction = r;
      TraceContext c = r.context;
      traceId = c != null ? c.traceId : Ids.newId();
      traceIdHigh = c != null ? c.traceIdHigh : newTraceHigh;
      boolean decidedHere = c == null || c.samplingPriority == TraceContext.PRIORITY_UNSET;
      samplingPriority = decidedHere ? 1 : c.samplingPriority;
      origin = c == null ? null : c.origin;
      propagationTags = decidedHere ? withDecisionMaker(c == null ? null : c.propagationTags) : c.propagationTags;
      hopSpanIds = new long[r.trigger.hops.size()];
      for (int i = 0; i < hopSpanIds.length; i++) hopSpanIds[i] = Ids.newId();
      parentId = hopSpanIds.length > 0 ? hopSpanIds[hopSpanIds.length - 1] : c != null ? c.parentId : 0;
    }
  }

  /**
   * The trace's propagation tags with {@code _dd.p.dm=-0} when this agent made the sampling decision (keep, by default,
   * as a tracer's default sampler does) and no upstream tracer recorded who decided.
   */
  static String withDecisionMaker(String tags) {
    if (tags != null && (tags.startsWith("_dd.p.dm=") || tags.contains(",_dd.p.dm="))) return tags;
    return tags == null || tags.isEmpty() ? "_dd.p.dm=-0" : tags + ",_dd.p.dm=-0";
  }

  InvocationTrace(InvocationEvent event, long spanId, TraceSettings settings) {
    this.event = event;
    this.spanId = spanId;
    this.settings = settings;
  }

  Resolved resolve() {
    Resolved r = resolved;
    if (r != null) return r;
    synchronized (this) {
      if (resolved == null) resolved = compute();
      return resolved;
    }
  }

  private Resolved compute() {
    ContextExtractor.Result r;
    try {
      r = ContextExtractor.extract(event.payload(), event.xrayTraceHeader(), event.clientContext(), event.functionArn(), settings);
    } catch (Throwable t) {
      AgentLog.once("extract-failed", "trace context extraction failed (" + AgentLog.describe(t) + "); new traces are started");
      r = new ContextExtractor.Result();
    }
    if (!settings.managedServices) r.trigger.hops.clear();
    return new Resolved(r, Ids.newTraceIdHigh(System.currentTimeMillis()));
  }

  @Override public long traceIdLow() { return resolve().traceId; }

  @Override public long traceIdHigh() { return resolve().traceIdHigh; }

  @Override public long spanId() { return spanId; }

  @Override public int samplingPriority() { return resolve().samplingPriority; }

  @Override public String origin() { return resolve().origin; }

  @Override public String propagationTags() { return resolve().propagationTags; }

  @Override public String service() { return settings.service; }

  @Override public String env() { return settings.env; }

  @Override public String version() { return settings.version; }

  @Override public boolean logsInjection() { return settings.logsInjection; }
}
