package dev.ddsls.agent.trace;

/** A trace context taken from an invocation's event or headers: whom the invocation span continues. */
public final class TraceContext {
  public static final int PRIORITY_UNSET = Integer.MIN_VALUE;

  public final long traceId;
  public final long traceIdHigh;
  public final long parentId;
  public final int samplingPriority;
  public final String origin;
  /** Where it came from: {@code http-headers}, {@code sqs}, {@code xray}, ... */
  public final String source;

  public TraceContext(long traceId, long traceIdHigh, long parentId, int samplingPriority, String origin, String source) {
    this.traceId = traceId;
    this.traceIdHigh = traceIdHigh;
    this.parentId = parentId;
    this.samplingPriority = samplingPriority;
    this.origin = origin;
    this.source = source;
  }
}
