package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.Timeline;
import dev.ddsls.agent.lambda.Invocation;
import java.util.Locale;

/** Builds the {@code aws.lambda} span of an invocation, with the tags Datadog's Lambda libraries set. */
public final class InvocationSpans {
  private InvocationSpans() {}

  public static Span build(Invocation inv, ContextExtractor.Result extracted, AgentConfig config, Timeline timeline) {
    Span s = new Span();
    TraceContext ctx = extracted == null ? null : extracted.context;
    long startEpoch = timeline.toEpochNanos(inv.startNanos);
    if (ctx != null) {
      s.traceId = ctx.traceId;
      s.traceIdHigh = ctx.traceIdHigh;
      s.parentId = ctx.parentId;
      s.meta.put("_dd.parent_source", ctx.source);
    } else {
      s.traceId = Ids.newId();
      s.traceIdHigh = Ids.newTraceIdHigh(startEpoch / 1_000_000L);
    }
    s.spanId = inv.spanId;
    String function = config.functionName != null ? config.functionName : config.service;
    s.name = "aws.lambda";
    s.resource = function;
    s.service = config.service;
    s.type = "serverless";
    s.start = startEpoch;
    s.duration = Math.max(0, inv.endNanos - inv.startNanos);
    s.error = inv.error ? 1 : 0;

    s.meta.put("span.kind", "server");
    s.meta.put("cold_start", inv.coldStart ? "true" : "false");
    s.meta.put("request_id", inv.event.requestId == null ? "" : inv.event.requestId);
    s.meta.put("functionname", function.toLowerCase(Locale.ROOT));
    s.meta.put("resource_names", function);
    s.meta.put("_dd.origin", "lambda");
    String arn = inv.event.functionArn;
    if (arn != null) {
      String[] parts = arn.split(":");
      StringBuilder unqualified = new StringBuilder();
      for (int i = 0; i < Math.min(7, parts.length); i++) unqualified.append(i == 0 ? "" : ":").append(parts[i]);
      s.meta.put("function_arn", unqualified.toString().toLowerCase(Locale.ROOT));
      s.meta.put("function_version", parts.length > 7 ? parts[7] : "$LATEST");
    }
    if (config.env != null) s.meta.put("env", config.env);
    if (config.version != null) s.meta.put("version", config.version);
    for (java.util.Map.Entry<String, String> t : config.tags.entrySet()) s.meta.putIfAbsent(t.getKey(), t.getValue());
    if (inv.error) {
      if (inv.errorType != null) s.meta.put("error.type", inv.errorType);
      if (inv.errorMessage != null) s.meta.put("error.msg", inv.errorMessage);
    }
    if (extracted != null) {
      if (extracted.trigger != null) s.meta.put("function_trigger.event_source", extracted.trigger);
      if (extracted.triggerArn != null) s.meta.put("function_trigger.event_source_arn", extracted.triggerArn);
      if (extracted.batchSize > 0) s.metrics.put("function_trigger.batch_size", (double) extracted.batchSize);
      if (extracted.propagationError != null) s.meta.put("_dd.propagation_error", extracted.propagationError);
    }
    if (ctx != null && ctx.origin != null) s.meta.put("_dd.origin", ctx.origin);
    int priority = ctx == null || ctx.samplingPriority == TraceContext.PRIORITY_UNSET ? 1 : ctx.samplingPriority;
    s.metrics.put("_sampling_priority_v1", (double) priority);
    s.metrics.put("_dd.top_level", 1.0);
    s.metrics.put("_dd.profiling.enabled", 1.0);
    if (inv.coldStart) {
      putMs(s, "ddsls.init.jvm_ms", timeline.jvmMs());
      putMs(s, "ddsls.init.agent_ms", timeline.agentMs());
      putMs(s, "ddsls.init.runtime_init_ms", timeline.runtimeInitMs());
      putMs(s, "ddsls.init.duration_ms", timeline.initMs());
    }
    return s;
  }

  private static void putMs(Span s, String key, double ms) {
    if (!Double.isNaN(ms)) s.metrics.put(key, Math.round(ms * 1000) / 1000.0);
  }
}
