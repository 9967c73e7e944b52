package dev.ddsls.agent.trace;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * The Step Functions context object ({@code Execution}, {@code State}, {@code StateMachine}) and Datadog's
 * deterministic ids for it (datadog-lambda-python {@code tracing.py}, bottlecap {@code step_function_event.rs}):
 * SHA-256 based, so every Lambda of one execution lands in the same trace without any header.
 */
final class StepFunctions {
  private StepFunctions() {}

  /** The context object in the event: the event itself, {@code Payload}, or {@code _datadog} (JSONata); null if none. */
  static Map<String, Object> contextObject(Object event) {
    Map<String, Object> e = Json.object(event);
    if (e == null) return null;
    if (isContext(e)) return e;
    Map<String, Object> payload = Json.object(e.get("Payload"));
    if (payload != null && isContext(payload)) return payload;
    Map<String, Object> dd = Json.object(e.get("_datadog"));
    if (dd != null && isContext(dd)) return dd;
    return null;
  }

  private static boolean isContext(Map<String, Object> m) {
    return Json.object(m.get("Execution")) != null && Json.object(m.get("State")) != null && Json.object(m.get("StateMachine")) != null;
  }

  static TraceContext extract(Map<String, Object> ctx, ContextExtractor.Result r) {
    String executionId = Json.string(Json.at(ctx, "Execution", "Id"));
    String state = Json.string(Json.at(ctx, "State", "Name"));
    String entered = Json.string(Json.at(ctx, "State", "EnteredTime"));
    if (executionId == null || state == null || entered == null) {
      r.error("malformed Step Functions context: Execution.Id, State.Name or State.EnteredTime missing");
      return null;
    }
    long retry = number(Json.at(ctx, "State", "RetryCount"));
    long redrive = number(Json.at(ctx, "Execution", "RedriveCount"));
    long parent = parentId(executionId, state, entered, retry, redrive);
    // Started by a traced Lambda: its trace goes on (x-datadog-trace-id and tags in _datadog, JSONata v1 shape).
    String upstream = Json.string(ctx.get("x-datadog-trace-id"));
    if (upstream != null) {
      TraceContext c = HeaderExtractor.datadog(upstream, Long.toUnsignedString(parent), "1", null, Json.string(ctx.get("x-datadog-tags")), r);
      if (c != null) return c.withSource("step-functions");
    }
    String rootExecution = Json.string(ctx.get("RootExecutionId"));
    String traceSeed = rootExecution != null ? rootExecution : executionId;
    byte[] h = sha256(traceSeed);
    return new TraceContext(u64(h, 8), u64(h, 0), parent, 1, null, "step-functions");
  }

  static long parentId(String executionId, String stateName, String enteredTime, long retryCount, long redriveCount) {
    String s = executionId + "#" + stateName + "#" + enteredTime;
    if (retryCount != 0 || redriveCount != 0) s = s + "#" + retryCount + "#" + redriveCount;
    return u64(sha256(s), 0);
  }

  static long traceIdLow(String executionId) { return u64(sha256(executionId), 8); }

  static long traceIdHigh(String executionId) { return u64(sha256(executionId), 0); }

  /** Big-endian uint64 of 8 bytes with bit 63 cleared; 0 becomes 1. */
  private static long u64(byte[] h, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (h[off + i] & 0xFF);
    v &= 0x7FFF_FFFF_FFFF_FFFFL;
    return v == 0 ? 1 : v;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static long number(Object v) { return v instanceof Number ? ((Number) v).longValue() : 0; }
}
