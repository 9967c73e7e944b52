package dev.ddsls.agent.trace;

/** Spans for the encoders' tests in other packages (spans are built in this package only). */
public final class TestSpans {
  private TestSpans() {}

  public static Span span(long traceId, long traceIdHigh, long spanId, long parentId, String name, String resource, String service,
      String type, long start, long duration, int error) {
    Span s = new Span();
    s.traceId = traceId;
    s.traceIdHigh = traceIdHigh;
    s.spanId = spanId;
    s.parentId = parentId;
    s.name = name;
    s.resource = resource;
    s.service = service;
    s.type = type;
    s.start = start;
    s.duration = duration;
    s.error = error;
    return s;
  }
}
