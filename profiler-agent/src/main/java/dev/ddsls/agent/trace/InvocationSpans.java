package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.SchedStat;
import dev.ddsls.agent.Timeline;
import dev.ddsls.api.internal.HeaderWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds an invocation's spans: the inferred spans of the managed services it came through (upstream first), then
 * the {@code aws.lambda} span, with the tags Datadog's Lambda libraries set.
 */
public final class InvocationSpans {
  private InvocationSpans() {}

  /** The spans of an invocation with a trace ({@code inv.trace() != null}). */
  public static List<Span> build(Invocation inv, AgentConfig config, Timeline timeline) {
    InvocationTrace.Resolved res = inv.trace.resolve();
    ContextExtractor.Result extracted = res.extraction;
    TraceContext ctx = extracted.context;
    Trigger trigger = extracted.trigger;
    long startEpoch = timeline.toEpochNanos(inv.startNanos);
    long duration = Math.max(0, inv.endNanos - inv.startNanos);
    List<Span> spans = new ArrayList<>(1 + res.hopSpanIds.length);

    long parent = ctx == null ? 0 : ctx.parentId;
    for (int i = 0; i < res.hopSpanIds.length; i++) {
      Trigger.Hop hop = trigger.hops.get(i);
      Span h = new Span();
      ids(h, res, res.hopSpanIds[i], parent);
      h.name = hop.name;
      h.resource = hop.resource == null ? hop.name : hop.resource;
      h.service = hop.service == null ? hop.name : hop.service;
      h.type = hop.sync ? "http" : "web";
      h.start = hop.startNanos > 0 && hop.startNanos <= startEpoch ? hop.startNanos : startEpoch;
      // An async hop ends where the next one (or the function) starts; a sync one (API Gateway) when the function returns.
      long end = startEpoch;
      if (i + 1 < res.hopSpanIds.length && trigger.hops.get(i + 1).startNanos > 0) end = Math.min(startEpoch, trigger.hops.get(i + 1).startNanos);
      if (hop.sync) end = startEpoch + duration;
      h.duration = Math.max(0, end - h.start);
      h.error = hop.sync && inv.error ? 1 : 0;
      h.meta.putAll(hop.meta);
      h.meta.put("span.kind", "server");
      h.meta.put("_inferred_span.tag_source", "self");
      h.meta.put("_inferred_span.synchronicity", hop.sync ? "sync" : "async");
      h.meta.put("_dd.base_service", config.service());
      common(h, config, res);
      h.metrics.put("_dd._inferred_span", 1.0);
      h.metrics.put("_dd.top_level", 1.0);
      spans.add(h);
      parent = h.spanId;
    }

    Span s = new Span();
    ids(s, res, inv.spanId, res.parentId);
    String function = config.functionName() != null ? config.functionName() : config.service();
    s.name = "aws.lambda";
    s.resource = function;
    s.service = config.service();
    s.type = "serverless";
    s.start = startEpoch;
    s.duration = duration;
    s.error = inv.error ? 1 : 0;

    s.meta.put("span.kind", "server");
    s.meta.put("cold_start", inv.coldStart ? "true" : "false");
    s.meta.put("request_id", inv.event.requestId() == null ? "" : inv.event.requestId());
    s.meta.put("functionname", function.toLowerCase(Locale.ROOT));
    if (config.memorySizeMb() != null) s.meta.put("memorysize", config.memorySizeMb());
    if (inv.coldStart && config.handler() != null) s.meta.put("handler", config.handler());
    s.meta.put("resource_names", function);
    String arn = inv.event.functionArn();
    if (arn != null) {
      String[] parts = arn.split(":");
      StringBuilder unqualified = new StringBuilder();
      for (int i = 0; i < Math.min(7, parts.length); i++) unqualified.append(i == 0 ? "" : ":").append(parts[i]);
      s.meta.put("function_arn", unqualified.toString().toLowerCase(Locale.ROOT));
      s.meta.put("function_version", parts.length > 7 ? parts[7] : "$LATEST");
    }
    if (inv.error) {
      if (inv.errorType != null) s.meta.put("error.type", inv.errorType);
      if (inv.errorMessage != null) s.meta.put("error.msg", inv.errorMessage);
    }
    if (trigger.eventSource != null) s.meta.put("function_trigger.event_source", trigger.eventSource);
    if (trigger.eventSourceArn != null) s.meta.put("function_trigger.event_source_arn", trigger.eventSourceArn);
    if (trigger.httpMethod != null) s.meta.put("http.method", trigger.httpMethod);
    if (trigger.httpRoute != null) s.meta.put("http.route", trigger.httpRoute);
    if (trigger.httpUrl != null) s.meta.put("http.url", trigger.httpUrl);
    if (trigger.batchSize > 0) s.metrics.put("function_trigger.batch_size", (double) trigger.batchSize);
    if (ctx != null) {
      s.meta.put("_dd.parent_source", "xray".equals(ctx.source) ? "xray" : "event");
      s.meta.put("ddsls.context_source", ctx.source);
    }
    if (extracted.propagationError != null) s.meta.put("_dd.propagation_error", extracted.propagationError);
    if (extracted.xrayTraceId != null) s.meta.put("_dd.xray.trace_id", extracted.xrayTraceId);
    common(s, config, res);
    // The local root span of this JVM, as a Datadog tracer tags it: which runtime (the profiles' runtime-id) and language.
    s.meta.put("runtime-id", Ids.runtimeId());
    s.meta.put("language", "jvm");
    s.metrics.put("_dd.top_level", 1.0);
    s.metrics.put("_dd.profiling.enabled", 1.0);
    boolean restored = inv.coldStart && timeline.isRestored();
    if (inv.coldStart) s.meta.put("init_type", restored ? "snap-start" : config.initializationType() != null ? config.initializationType() : "on-demand");
    if (restored) {
      // Init ran when the snapshot was taken and was reported then (snapshotInit); this copy's cold start is the restore.
      putMs(s, "ddsls.restore.duration_ms", timeline.restoreMs());
    } else if (inv.coldStart) {
      initMetrics(s, timeline);
    }
    spans.add(s);
    if (restored) spans.add(restoreSpan(inv, config, timeline, res, function));
    return spans;
  }

  /**
   * The restore span Datadog's Lambda extension sends for a SnapStart copy's first invocation
   * ({@code aws.lambda.snapstart_restore}, bottlecap's {@code on_platform_restore_start}): a sibling of the
   * invocation's span in its trace, from the restore to the runtime's first {@code /next} (the afterRestore hooks).
   */
  private static Span restoreSpan(Invocation inv, AgentConfig config, Timeline timeline, InvocationTrace.Resolved res, String function) {
    Span r = new Span();
    ids(r, res, Ids.newId(), res.parentId);
    r.name = "aws.lambda.snapstart_restore";
    r.resource = function;
    r.service = config.service();
    r.type = "serverless";
    r.start = timeline.restoreStartEpochNanos();
    double ms = timeline.restoreMs();
    r.duration = Double.isNaN(ms) ? 0 : Math.round(ms * 1e6);
    r.meta.put("span.kind", "server");
    r.meta.put("request_id", inv.event.requestId() == null ? "" : inv.event.requestId());
    r.meta.put("functionname", function.toLowerCase(Locale.ROOT));
    common(r, config, res);
    return r;
  }

  /**
   * SnapStart: the snapshot's init as a span of its own, sent before the snapshot is taken (no invocation exists
   * yet to carry it, and a restored copy must not send it again). A root span ({@code aws.lambda.snapstart_init}),
   * from the process start to {@code /restore/next}, with the init metrics a cold invocation's span carries on
   * demand; the init samples carry its span id.
   */
  public static Span snapshotInit(AgentConfig config, Timeline timeline) {
    String function = config.functionName() != null ? config.functionName() : config.service();
    Span s = new Span();
    s.traceId = Ids.newId();
    s.spanId = Ids.newId();
    s.name = "aws.lambda.snapstart_init";
    s.resource = function;
    s.service = config.service();
    s.type = "serverless";
    s.start = timeline.initStartEpochNanos();
    s.duration = Math.max(0, timeline.checkpointEpochNanos() - s.start);
    s.meta.put("span.kind", "server");
    s.meta.put("init_type", "snap-start");
    s.meta.put("functionname", function.toLowerCase(Locale.ROOT));
    // A local root span, as the invocation's is: the profiles' runtime-id. (A restored copy has the snapshot's.)
    s.meta.put("runtime-id", Ids.runtimeId());
    s.meta.put("language", "jvm");
    if (config.memorySizeMb() != null) s.meta.put("memorysize", config.memorySizeMb());
    if (config.handler() != null) s.meta.put("handler", config.handler());
    s.meta.put("_dd.origin", "lambda");
    if (config.env() != null) s.meta.put("env", config.env());
    if (config.version() != null) s.meta.put("version", config.version());
    for (Map.Entry<String, String> t : config.tags().entrySet()) s.meta.putIfAbsent(t.getKey(), t.getValue());
    s.metrics.put("_sampling_priority_v1", 1.0);
    s.metrics.put("_dd.top_level", 1.0);
    s.metrics.put("_dd.profiling.enabled", 1.0);
    initMetrics(s, timeline);
    return s;
  }

  private static void ids(Span s, InvocationTrace.Resolved res, long spanId, long parentId) {
    s.traceId = res.traceId;
    s.traceIdHigh = res.traceIdHigh;
    s.spanId = spanId;
    s.parentId = parentId;
  }

  /** Tags every span of the invocation carries: origin, env/version/DD_TAGS, sampling priority, propagation tags. */
  private static void common(Span s, AgentConfig config, InvocationTrace.Resolved res) {
    s.meta.put("_dd.origin", res.origin != null ? res.origin : "lambda");
    if (config.env() != null) s.meta.put("env", config.env());
    if (config.version() != null) s.meta.put("version", config.version());
    for (Map.Entry<String, String> t : config.tags().entrySet()) s.meta.putIfAbsent(t.getKey(), t.getValue());
    if (res.traceIdHigh != 0) s.meta.put("_dd.p.tid", HeaderWriter.hex16(res.traceIdHigh));
    if (res.propagationTags != null) {
      for (String kv : res.propagationTags.split(",")) {
        int eq = kv.indexOf('=');
        if (eq > 0) s.meta.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    s.metrics.put("_sampling_priority_v1", (double) res.samplingPriority);
  }

  /** The init's phases and the init thread's scheduling figures, on the span that pays for init. */
  private static void initMetrics(Span s, Timeline timeline) {
    putMs(s, "ddsls.init.jvm_ms", timeline.jvmMs());
    putMs(s, "ddsls.init.agent_ms", timeline.agentMs());
    putMs(s, "ddsls.init.runtime_init_ms", timeline.runtimeInitMs());
    putMs(s, "ddsls.init.duration_ms", timeline.initMs());
    SchedStat.Snapshot k = timeline.initEndSched();
    if (k != null) {
      putMs(s, "ddsls.init.thread_cpu_ms", k.threadCpuMs());
      putMs(s, "ddsls.init.thread_runqueue_ms", k.threadRunQueueMs());
      putMs(s, "ddsls.init.cgroup_throttled_ms", k.cgroupThrottledMs());
    }
  }

  private static void putMs(Span s, String key, double ms) {
    if (!Double.isNaN(ms)) s.metrics.put(key, Math.round(ms * 1000) / 1000.0);
  }
}
