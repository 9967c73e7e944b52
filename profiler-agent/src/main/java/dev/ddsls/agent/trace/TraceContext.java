package dev.ddsls.agent.trace;

/** A trace context taken from an invocation's event or headers: whom the invocation (or its inferred span) continues. */
final class TraceContext {
  static final int PRIORITY_UNSET = Integer.MIN_VALUE;

  final long traceId;
  final long traceIdHigh;
  final long parentId;
  final int samplingPriority;
  final String origin;
  /** Where it came from: {@code datadog}, {@code tracecontext}, {@code xray}, {@code step-functions}, ... */
  final String source;
  /** Propagation tags other than {@code _dd.p.tid} ({@code _dd.p.dm=-4,...}), or null. */
  final String propagationTags;

  TraceContext(long traceId, long traceIdHigh, long parentId, int samplingPriority, String origin, String source) {
    this(traceId, traceIdHigh, parentId, samplingPriority, origin, source, null);
  }

  TraceContext(long traceId, long traceIdHigh, long parentId, int samplingPriority, String origin, String source,
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
