package dev.ddsls.analysis.connectivity;

import dev.ddsls.analysis.connectivity.ConnectivityReport.Anomaly;
import dev.ddsls.analysis.connectivity.ConnectivityReport.Counts;
import dev.ddsls.analysis.connectivity.ConnectivityReport.Edge;
import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.findings.Finding.Severity;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.analysis.trace.XRaySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The trace-connectivity report. The invocation's entry span is the first inferred span before it (the managed
 * service hop), else the invocation span; the entry's parent decides: in the data (connected), absent (orphan),
 * none (root). A root is broken when its span records a propagation error, or its trigger is a messaging service
 * whose events carry the producer's context when the producer is traced ({@link #CARRIERS}).
 */
public final class ConnectivityAnalyzer {
  /** Triggers whose events normally carry a trace context (queues, topics, buses, streams, state machines). */
  public static final Set<String> CARRIERS = Set.of("sqs", "sns", "eventbridge", "kinesis", "states", "dynamodb");
  /** A child may start this much before its parent (clocks of different hosts). */
  public static final long CLOCK_SKEW_NANOS = 50_000_000L;
  static final int IDS = 20;

  private ConnectivityAnalyzer() {}

  public static ConnectivityReport analyze(Iterable<Span> spans, Predicate<Span> function, List<XRaySegment> xray) {
    Map<Long, Span> byId = new HashMap<>();
    List<Anomaly> anomalies = new ArrayList<>();
    // One small record per trace; the per-service env maps and priority sets are built only for traces that differ.
    Map<Long, TraceTags> firstTags = new HashMap<>();
    Map<Long, Set<Double>> sampling = new HashMap<>();
    Set<Long> envCandidates = new HashSet<>();
    List<Span> invocations = new ArrayList<>();
    for (Span s : spans) {
      Span prior = byId.put(s.spanId(), s);
      if (prior != null && (prior.traceId() != s.traceId() || prior.start() != s.start() || !prior.name().equals(s.name()))) {
        anomalies.add(new Anomaly("duplicate-span-id", s.traceIdText(), List.of(s.id()),
            "span id " + s.id() + " used by " + prior.name() + " and " + s.name()));
      }
      Double p = s.metric("_sampling_priority_v1");
      String env = s.meta("env");
      if (p != null || env != null) {
        TraceTags t = firstTags.get(s.traceId());
        if (t == null) firstTags.put(s.traceId(), t = new TraceTags());
        if (p != null) {
          if (t.priority == null) t.priority = p;
          else if (!t.priority.equals(p)) {
            Set<Double> seen = sampling.computeIfAbsent(s.traceId(), k -> new HashSet<>());
            seen.add(t.priority);
            seen.add(p);
          }
        }
        if (env != null) {
          if (t.env == null) t.env = env;
          else if (!t.env.equals(env)) envCandidates.add(s.traceId());
        }
      }
      if (s.isInvocation() && function.test(s)) invocations.add(s);
    }
    firstTags = null;
    Map<Long, Map<String, String>> envByTrace = new HashMap<>();
    if (!envCandidates.isEmpty()) {
      for (Span s : spans) {
        String env = s.meta("env");
        if (env != null && envCandidates.contains(s.traceId())) envByTrace.computeIfAbsent(s.traceId(), k -> new TreeMap<>()).put(s.service(), env);
      }
    }
    Map<Long, String> samplingIds = traceIdTexts(spans, sampling.keySet());
    for (Map.Entry<Long, Set<Double>> e : sampling.entrySet()) {
      if (e.getValue().size() > 1) {
        anomalies.add(new Anomaly("sampling-changed", samplingIds.get(e.getKey()), List.of(),
            "sampling priorities " + e.getValue() + " in one trace"));
      }
    }
    for (Span s : byId.values()) {
      Span parent = s.parentId() == 0 ? null : byId.get(s.parentId());
      if (parent != null && s.start() + CLOCK_SKEW_NANOS < parent.start()) {
        anomalies.add(new Anomaly("child-before-parent", s.traceIdText(), List.of(s.id(), parent.id()),
            String.format(Locale.ROOT, "%s starts %.1f ms before its parent %s", s.name(), (parent.start() - s.start()) / 1e6, parent.name())));
      }
    }

    int connected = 0, orphans = 0, roots = 0, broken = 0;
    Map<String, int[]> counts = new TreeMap<>();
    Map<String, List<String>> orphanIds = new HashMap<>(), brokenIds = new HashMap<>();
    Map<String, Edge> edges = new LinkedHashMap<>();
    Map<String, List<String>> brokenByHop = new TreeMap<>();
    Map<String, List<String>> orphanByHop = new TreeMap<>();
    for (Span inv : invocations) {
      Span entry = inv;
      for (int guard = 0; guard < 8 && entry.parentId() != 0; guard++) {
        Span p = byId.get(entry.parentId());
        if (p == null || !p.isInferred() || p.traceId() != inv.traceId()) break;
        entry = p;
      }
      String trigger = inv.meta().getOrDefault("function_trigger.event_source", "direct");
      String fn = inv.function() == null ? inv.service() : inv.function();
      int[] c = counts.computeIfAbsent(trigger, k -> new int[5]);
      c[0]++;
      String from;
      if (entry.parentId() == 0) {
        roots++;
        c[3]++;
        from = "(none)";
        boolean isBroken = inv.meta("_dd.propagation_error") != null || CARRIERS.contains(trigger);
        if (isBroken) {
          broken++;
          c[4]++;
          add(brokenIds, trigger, inv.id());
          add(brokenByHop, trigger + " -> " + fn, inv.id());
        }
      } else {
        Span parent = byId.get(entry.parentId());
        if (parent != null) {
          connected++;
          c[1]++;
          from = parent.service();
        } else {
          orphans++;
          c[2]++;
          from = "(missing)";
          add(orphanIds, trigger, inv.id());
          add(orphanByHop, trigger + " -> " + fn, inv.id());
        }
      }
      String key = from + "|" + trigger + "|" + fn;
      Edge e = edges.get(key);
      List<String> ids = e == null ? new ArrayList<>() : new ArrayList<>(e.spanIds());
      if (ids.size() < IDS) ids.add(inv.id());
      edges.put(key, new Edge(from, trigger, fn, e == null ? 1 : e.invocations() + 1, ids));
    }
    Map<String, Counts> byTrigger = new TreeMap<>();
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      int[] c = e.getValue();
      byTrigger.put(e.getKey(), new Counts(c[0], c[1], c[2], c[3], c[4], orphanIds.getOrDefault(e.getKey(), List.of()),
          brokenIds.getOrDefault(e.getKey(), List.of())));
    }
    ConnectivityReport.XRay x = xray(invocations, xray);

    List<Finding> findings = new ArrayList<>();
    int n = invocations.size();
    for (Map.Entry<String, List<String>> e : orphanByHop.entrySet()) {
      int k = count(edges, e.getKey(), "(missing)");
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("hop", e.getKey());
      ev.put("orphans", k);
      ev.put("invocationSpans", n);
      ev.put("spanIds", e.getValue());
      findings.add(new Finding("orphan-spans", k * 10 >= n ? Severity.HIGH : Severity.MEDIUM,
          String.format(Locale.ROOT, "%d invocations (%s) point to a parent span that is not in the data", k, e.getKey()), ev,
          "The caller's span was not sent or not retained (sampling, retention filters, a different env or site), "
              + "or the trace was split at this hop: check the upstream service's tracer and retention.",
          "https://docs.datadoghq.com/tracing/trace_pipeline/trace_retention/", k));
    }
    for (Map.Entry<String, List<String>> e : brokenByHop.entrySet()) {
      int k = count(edges, e.getKey(), "(none)");
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("hop", e.getKey());
      ev.put("trigger", e.getKey().substring(0, e.getKey().indexOf(" -> ")));
      ev.put("roots", k);
      ev.put("invocationSpans", n);
      ev.put("spanIds", e.getValue());
      findings.add(new Finding("context-not-propagated", k * 10 >= n ? Severity.HIGH : Severity.MEDIUM,
          String.format(Locale.ROOT, "%d invocations via %s start a new trace: no usable context in the event", k, e.getKey()), ev,
          "Inject the trace context into the message (the _datadog message attribute for SQS/SNS, the detail._datadog "
              + "field for EventBridge) in the producer, e.g. with dev.ddsls.api.TraceContext.current().datadogJson().",
          "docs/trace-context.md", k));
    }
    if (x.notJoined() > 0) {
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("notJoined", x.notJoined());
      ev.put("invocationsWithXRayId", x.invocationsWithXRayId());
      ev.put("spanIds", x.notJoinedSpanIds());
      findings.add(new Finding("xray-not-merged", Severity.MEDIUM,
          String.format(Locale.ROOT, "%d invocations have an X-Ray trace that is not joined with their Datadog trace", x.notJoined()), ev,
          "Set DD_MERGE_XRAY_TRACES=true so the invocation span continues the X-Ray trace, or propagate Datadog context "
              + "from the caller.", "https://docs.datadoghq.com/serverless/distributed_tracing/", x.notJoined()));
    }
    Map<String, Integer> mismatched = new TreeMap<>();
    List<String> mismatchTraces = new ArrayList<>();
    Map<Long, String> envIds = traceIdTexts(spans, envByTrace.keySet());
    for (Map.Entry<Long, Map<String, String>> e : envByTrace.entrySet()) {
      if (new HashSet<>(e.getValue().values()).size() > 1) {
        mismatched.merge(e.getValue().toString(), 1, Integer::sum);
        if (mismatchTraces.size() < IDS) mismatchTraces.add(envIds.get(e.getKey()));
      }
    }
    if (!mismatched.isEmpty()) {
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("envByService", mismatched);
      ev.put("traceIds", mismatchTraces);
      int k = mismatched.values().stream().mapToInt(Integer::intValue).sum();
      findings.add(new Finding("env-tag-mismatch", Severity.MEDIUM,
          String.format(Locale.ROOT, "%d traces cross services with different env tags", k), ev,
          "Give every service of one system the same DD_ENV: Datadog shows traces per env, so a trace whose spans carry "
              + "different envs looks broken.", "https://docs.datadoghq.com/getting_started/tagging/unified_service_tagging/", k));
    }
    findings.sort(Finding.ORDER);
    if (anomalies.size() > 1000) anomalies = new ArrayList<>(anomalies.subList(0, 1000));
    return new ConnectivityReport(n, connected, orphans, roots, broken, n == 0 ? 0 : Math.round(connected * 10000.0 / n) / 10000.0,
        byTrigger, new ArrayList<>(edges.values()), x, anomalies, findings);
  }

  private static ConnectivityReport.XRay xray(List<Span> invocations, List<XRaySegment> segments) {
    Map<String, List<XRaySegment>> byTrace = new HashMap<>();
    for (XRaySegment s : segments) byTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
    int with = 0, joined = 0, notJoined = 0;
    List<String> notIds = new ArrayList<>();
    for (Span inv : invocations) {
      String xid = inv.meta("_dd.xray.trace_id");
      boolean merged = "xray".equals(inv.meta("_dd.parent_source"));
      if (xid == null && !merged) continue;
      with++;
      if (merged) {
        boolean found = false;
        for (XRaySegment s : segments) {
          if (XRaySegment.datadogTraceId(s.traceId()) == inv.traceId() && XRaySegment.datadogSpanId(s.id()) == inv.parentId()) found = true;
        }
        if (found) joined++;
        else if (!segments.isEmpty()) {
          notJoined++;
          if (notIds.size() < IDS) notIds.add(inv.id());
        }
      } else if (byTrace.containsKey(xid)) {
        notJoined++; // X-Ray has the trace, Datadog started its own
        if (notIds.size() < IDS) notIds.add(inv.id());
      }
    }
    return new ConnectivityReport.XRay(segments.size(), with, joined, notJoined, notIds);
  }

  /**
   * How the traces {@code lows} (keyed by the low half of their id, what spans link by) are printed: whole where a span
   * carries the high half. Looked up only for the few traces an anomaly or finding names.
   */
  private static Map<Long, String> traceIdTexts(Iterable<Span> spans, Set<Long> lows) {
    Map<Long, Long> high = new HashMap<>();
    if (!lows.isEmpty()) {
      for (Span s : spans) if (s.traceIdHigh() != 0 && lows.contains(s.traceId())) high.putIfAbsent(s.traceId(), s.traceIdHigh());
    }
    Map<Long, String> out = new HashMap<>();
    for (long low : lows) out.put(low, Span.traceIdText(high.getOrDefault(low, 0L), low));
    return out;
  }

  private static int count(Map<String, Edge> edges, String hop, String from) {
    int k = 0;
    for (Edge e : edges.values()) {
      if (e.from().equals(from) && (e.trigger() + " -> " + e.to()).equals(hop)) k += e.invocations();
    }
    return k;
  }

  /** The first sampling priority and env seen in a trace. */
  private static final class TraceTags {
    Double priority;
    String env;
  }

  private static void add(Map<String, List<String>> m, String key, String id) {
    List<String> l = m.computeIfAbsent(key, k -> new ArrayList<>());
    if (l.size() < IDS) l.add(id);
  }
}
