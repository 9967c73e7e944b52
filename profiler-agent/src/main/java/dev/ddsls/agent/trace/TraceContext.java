package dev.ddsls.agent.trace;

/** A trace context taken from an invocation's event or headers: whom the invocation (or its inferred span) continues. */
public final class TraceContext {
  public static final int PRIORITY_UNSET = Integer.MIN_VALUE;

  public final long traceId;
  public final long traceIdHigh;
  public final long parentId;
  public final int samplingPriority;
  public final String origin;
  /** Where it came from: {@code datadog}, {@code tracecontext}, {@code xray}, {@code step-functions}, ... */
  public final String source;
  /** Propagation tags other than {@code _dd.p.tid} ({@code _dd.p.dm=-4,...}), or null. */
  public final String propagationTags;

  public TraceContext(long traceId, long traceIdHigh, long parentId, int samplingPriority, String origin, String source) {
    this(traceId, traceIdHigh, parentId, samplingPriority, origin, source, null);
  }

  public TraceContext(long traceId, long traceIdHigh, long parentId, int samplingPriority, String origin, String source,
                      String propagationTags) {
    this.traceId = traceId;
    this.traceIdHigh = traceIdHigh;
    this.parentId = parentId;
    this.samplingPriority = samplingPriority;
    this.origin = origin;
    this.source = source;
    this.propagationTags = propagationTags;
  }

  TraceContext withSource(String newSource) {
    return new TraceContext(traceId, traceIdHigh, parentId, samplingPriority, origin, newSource, propagationTags);
  }
}
