package dev.ddsls.analysis.connectivity;

import dev.ddsls.analysis.connectivity.ConnectivityReport.Anomaly;
import dev.ddsls.analysis.connectivity.ConnectivityReport.Counts;
import dev.ddsls.analysis.connectivity.ConnectivityReport.Edge;
import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.findings.Finding.Severity;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.analysis.trace.XRaySegment;
import java.util.ArrayList;
import java.util.Comparator;
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
    SpanScan scan = new SpanScan(spans, function);
    Hops hops = new Hops(scan.byId);
    for (Span inv : scan.invocations) hops.add(inv);
    ConnectivityReport.XRay x = xray(scan.invocations, xray);

    int n = scan.invocations.size();
    List<Finding> findings = new ArrayList<>();
    hops.orphans.forEach((hop, tally) -> findings.add(orphanFinding(hop, tally, n)));
    hops.broken.forEach((hop, tally) -> findings.add(brokenFinding(hop, tally, n)));
    if (x.notJoined() > 0) findings.add(xrayFinding(x));
    Finding env = envFinding(scan.envByTrace(spans), spans);
    if (env != null) findings.add(env);
    findings.sort(Finding.ORDER);

    List<Anomaly> anomalies = scan.anomalies(spans);
    if (anomalies.size() > 1000) anomalies = new ArrayList<>(anomalies.subList(0, 1000));
    Map<String, Counts> byTrigger = new TreeMap<>();
    hops.byTrigger.forEach((trigger, t) -> byTrigger.put(trigger, t.counts()));
    List<Edge> edges = new ArrayList<>();
    for (EdgeTally e : hops.edges.values()) edges.add(e.edge());
    return new ConnectivityReport(n, hops.connected, hops.orphanCount, hops.roots, hops.brokenCount,
        n == 0 ? 0 : Math.round(hops.connected * 10000.0 / n) / 10000.0, byTrigger, edges, x, anomalies, findings);
  }

  /**
   * One pass over the spans: the index by id, the function's invocation spans, duplicate span ids, and the first
   * sampling priority and env of each trace (the per-service env maps are built later, only for traces that differ).
   */
  private static final class SpanScan {
    final Map<Long, Span> byId = new HashMap<>();
    final List<Span> invocations = new ArrayList<>();
    private final List<Anomaly> duplicates = new ArrayList<>();
    private final Map<Long, Set<Double>> sampling = new HashMap<>();
    private final Set<Long> envCandidates = new HashSet<>();

    SpanScan(Iterable<Span> spans, Predicate<Span> function) {
      Map<Long, TraceTags> firstTags = new HashMap<>();
      for (Span s : spans) {
        Span prior = byId.put(s.spanId(), s);
        if (prior != null && (prior.traceId() != s.traceId() || prior.start() != s.start() || !prior.name().equals(s.name()))) {
          duplicates.add(new Anomaly("duplicate-span-id", s.traceIdText(), List.of(s.id()),
              "span id " + s.id() + " used by " + prior.name() + " and " + s.name()));
        }
        Double p = s.metric("_sampling_priority_v1");
        String env = s.meta("env");
        if (p != null || env != null) {
          TraceTags t = firstTags.computeIfAbsent(s.traceId(), k -> new TraceTags());
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
    }

    /** Duplicate span ids, then sampling changed within a trace, then children that start before their parent. */
    List<Anomaly> anomalies(Iterable<Span> spans) {
      List<Anomaly> out = new ArrayList<>(duplicates);
      Map<Long, String> samplingIds = traceIdTexts(spans, sampling.keySet());
      for (Map.Entry<Long, Set<Double>> e : sampling.entrySet()) {
        if (e.getValue().size() > 1) {
          out.add(new Anomaly("sampling-changed", samplingIds.get(e.getKey()), List.of(),
              "sampling priorities " + e.getValue() + " in one trace"));
        }
      }
      for (Span s : byId.values()) {
        Span parent = s.parentId() == 0 ? null : byId.get(s.parentId());
        if (parent != null && s.start() + CLOCK_SKEW_NANOS < parent.start()) {
          out.add(new Anomaly("child-before-parent", s.traceIdText(), List.of(s.id(), parent.id()),
              String.format(Locale.ROOT, "%s starts %.1f ms before its parent %s", s.name(), (parent.start() - s.start()) / 1e6, parent.name())));
        }
      }
      return out;
    }

    /** Per trace whose spans carry more than one env: service -> env. */
    Map<Long, Map<String, String>> envByTrace(Iterable<Span> spans) {
      Map<Long, Map<String, String>> out = new HashMap<>();
      if (envCandidates.isEmpty()) return out;
      for (Span s : spans) {
        String env = s.meta("env");
        if (env != null && envCandidates.contains(s.traceId())) out.computeIfAbsent(s.traceId(), k -> new TreeMap<>()).put(s.service(), env);
      }
      return out;
    }
  }

  /** Where each invocation's trace came from: connected to a parent in the data, orphaned, or a root (maybe broken). */
  private static final class Hops {
    private final Map<Long, Span> byId;
    int connected, orphanCount, roots, brokenCount;
    final Map<String, TriggerTally> byTrigger = new TreeMap<>();
    final Map<EdgeKey, EdgeTally> edges = new LinkedHashMap<>();
    final Map<Hop, IdTally> orphans = new TreeMap<>(Hop.ORDER);
    final Map<Hop, IdTally> broken = new TreeMap<>(Hop.ORDER);

    Hops(Map<Long, Span> byId) { this.byId = byId; }

    void add(Span inv) {
      Span entry = entrySpan(inv, byId);
      String trigger = inv.meta().getOrDefault("function_trigger.event_source", "direct");
      Hop hop = new Hop(trigger, inv.function() == null ? inv.service() : inv.function());
      TriggerTally t = byTrigger.computeIfAbsent(trigger, k -> new TriggerTally());
      t.invocations++;
      String from;
      if (entry.parentId() == 0) {
        roots++;
        t.roots++;
        from = "(none)";
        if (inv.meta("_dd.propagation_error") != null || CARRIERS.contains(trigger)) {
          brokenCount++;
          t.broken++;
          ConnectivityAnalyzer.add(t.brokenIds, inv.id());
          broken.computeIfAbsent(hop, k -> new IdTally()).add(inv.id());
        }
      } else if (byId.containsKey(entry.parentId())) {
        connected++;
        t.connected++;
        from = byId.get(entry.parentId()).service();
      } else {
        orphanCount++;
        t.orphans++;
        from = "(missing)";
        ConnectivityAnalyzer.add(t.orphanIds, inv.id());
        orphans.computeIfAbsent(hop, k -> new IdTally()).add(inv.id());
      }
      edges.computeIfAbsent(new EdgeKey(from, hop), k -> new EdgeTally(k)).add(inv.id());
    }

  }

  /**
   * The invocation's entry span: the first inferred span before it (the managed service's hop, in the same trace),
   * else the invocation itself. Its parent is where the invocation was called from.
   */
  public static Span entrySpan(Span inv, Map<Long, Span> byId) {
    Span entry = inv;
    for (int guard = 0; guard < 8 && entry.parentId() != 0; guard++) {
      Span p = byId.get(entry.parentId());
      if (p == null || !p.isInferred() || p.traceId() != inv.traceId()) break;
      entry = p;
    }
    return entry;
  }

  /** A trigger into a function, as findings name it: {@code sqs -> orders-worker}. */
  private record Hop(String trigger, String function) {
    static final Comparator<Hop> ORDER = Comparator.comparing(Hop::label);

    String label() { return trigger + " -> " + function; }
  }

  private record EdgeKey(String from, Hop hop) {}

  private static final class EdgeTally {
    final EdgeKey key;
    int invocations;
    final List<String> spanIds = new ArrayList<>();

    EdgeTally(EdgeKey key) { this.key = key; }

    void add(String id) {
      invocations++;
      ConnectivityAnalyzer.add(spanIds, id);
    }

    Edge edge() { return new Edge(key.from(), key.hop().trigger(), key.hop().function(), invocations, spanIds); }
  }

  private static final class TriggerTally {
    int invocations, connected, orphans, roots, broken;
    final List<String> orphanIds = new ArrayList<>();
    final List<String> brokenIds = new ArrayList<>();

    Counts counts() { return new Counts(invocations, connected, orphans, roots, broken, orphanIds, brokenIds); }
  }

  /** How many, and the first {@link #IDS} span ids. */
  private static final class IdTally {
    int count;
    final List<String> ids = new ArrayList<>();

    void add(String id) {
      count++;
      ConnectivityAnalyzer.add(ids, id);
    }
  }

  private static Finding orphanFinding(Hop hop, IdTally orphans, int invocations) {
    int k = orphans.count;
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("hop", hop.label());
    ev.put("orphans", k);
    ev.put("invocationSpans", invocations);
    ev.put("spanIds", orphans.ids);
    return new Finding("orphan-spans", k * 10 >= invocations ? Severity.HIGH : Severity.MEDIUM,
        String.format(Locale.ROOT, "%d invocations (%s) point to a parent span that is not in the data", k, hop.label()), ev,
        "The caller's span was not sent or not retained (sampling, retention filters, a different env or site), "
            + "or the trace was split at this hop: check the upstream service's tracer and retention.",
        "https://docs.datadoghq.com/tracing/trace_pipeline/trace_retention/", k);
  }

  private static Finding brokenFinding(Hop hop, IdTally roots, int invocations) {
    int k = roots.count;
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("hop", hop.label());
    ev.put("trigger", hop.trigger());
    ev.put("roots", k);
    ev.put("invocationSpans", invocations);
    ev.put("spanIds", roots.ids);
    return new Finding("context-not-propagated", k * 10 >= invocations ? Severity.HIGH : Severity.MEDIUM,
        String.format(Locale.ROOT, "%d invocations via %s start a new trace: no usable context in the event", k, hop.label()), ev,
        "Inject the trace context into the message (the _datadog message attribute for SQS/SNS, the detail._datadog "
            + "field for EventBridge) in the producer, e.g. with dev.ddsls.api.TraceContext.current().datadogJson().",
        "docs/trace-context.md", k);
  }

  private static Finding xrayFinding(ConnectivityReport.XRay x) {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("notJoined", x.notJoined());
    ev.put("invocationsWithXRayId", x.invocationsWithXRayId());
    ev.put("spanIds", x.notJoinedSpanIds());
    return new Finding("xray-not-merged", Severity.MEDIUM,
        String.format(Locale.ROOT, "%d invocations have an X-Ray trace that is not joined with their Datadog trace", x.notJoined()), ev,
        "Set DD_MERGE_XRAY_TRACES=true so the invocation span continues the X-Ray trace, or propagate Datadog context "
            + "from the caller.", "https://docs.datadoghq.com/serverless/distributed_tracing/", x.notJoined());
  }

  /** Traces whose services carry different env tags; null when there are none. */
  private static Finding envFinding(Map<Long, Map<String, String>> envByTrace, Iterable<Span> spans) {
    Map<String, Integer> mismatched = new TreeMap<>();
    List<String> mismatchTraces = new ArrayList<>();
    Map<Long, String> envIds = traceIdTexts(spans, envByTrace.keySet());
    for (Map.Entry<Long, Map<String, String>> e : envByTrace.entrySet()) {
      if (new HashSet<>(e.getValue().values()).size() > 1) {
        mismatched.merge(e.getValue().toString(), 1, Integer::sum);
        if (mismatchTraces.size() < IDS) mismatchTraces.add(envIds.get(e.getKey()));
      }
    }
    if (mismatched.isEmpty()) return null;
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("envByService", mismatched);
    ev.put("traceIds", mismatchTraces);
    int k = mismatched.values().stream().mapToInt(Integer::intValue).sum();
    return new Finding("env-tag-mismatch", Severity.MEDIUM,
        String.format(Locale.ROOT, "%d traces cross services with different env tags", k), ev,
        "Give every service of one system the same DD_ENV: Datadog shows traces per env, so a trace whose spans carry "
            + "different envs looks broken.", "https://docs.datadoghq.com/getting_started/tagging/unified_service_tagging/", k);
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

  /** The first sampling priority and env seen in a trace. */
  private static final class TraceTags {
    Double priority;
    String env;
  }

  private static void add(List<String> ids, String id) {
    if (ids.size() < IDS) ids.add(id);
  }
}
