package dev.ddsls.analysis.connectivity;

import dev.ddsls.analysis.findings.Finding;
import java.util.List;
import java.util.Map;

/**
 * Whether the functions' invocation spans hang together with their callers. An invocation is {@code connected} when
 * the parent of its entry span (the first inferred span before it, else itself) is in the data, an {@code orphan}
 * when that parent is absent, a {@code root} when it has none; {@code broken} counts the roots whose trigger
 * carried a context that could not be used or normally carries one (queues, topics, buses, streams).
 */
public record ConnectivityReport(int invocationSpans, int connected, int orphans, int roots, int broken, double connectedRate,
                                 Map<String, Counts> byTrigger, List<Edge> edges, XRay xray, List<Anomaly> anomalies,
                                 List<Finding> findings) {

  /** Counts for one trigger type, with example span ids for each outcome. */
  public record Counts(int invocations, int connected, int orphans, int roots, int broken, List<String> orphanSpanIds,
                       List<String> brokenSpanIds) {}

  /** Calls from an upstream service (or "(none)" for roots, "(missing)" for orphans) through a trigger to a function. */
  public record Edge(String from, String trigger, String to, int invocations, List<String> spanIds) {}

  /** X-Ray merge: invocations whose X-Ray segment was found and joined with their Datadog span, and the rest. */
  public record XRay(int segments, int invocationsWithXRayId, int joined, int notJoined, List<String> notJoinedSpanIds) {}

  /** Something wrong in a trace: {@code duplicate-span-id}, {@code child-before-parent}, {@code sampling-changed}. */
  public record Anomaly(String kind, String traceId, List<String> spanIds, String detail) {}
}
