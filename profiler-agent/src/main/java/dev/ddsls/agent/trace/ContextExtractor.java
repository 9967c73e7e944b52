package dev.ddsls.agent.trace;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the caller's trace context for one invocation: Datadog headers of HTTP triggers (API Gateway v1/v2, ALB,
 * Function URLs), the {@code _datadog} attribute of the first SQS record, a direct {@code _datadog} field, and
 * last the X-Ray header ({@code Lambda-Runtime-Trace-Id}). Malformed carriers never throw: they are reported in
 * {@link Result#propagationError} and the invocation starts a new root.
 */
public final class ContextExtractor {
  /** What extraction found. */
  public static final class Result {
    public TraceContext context;
    public String trigger;
    public String triggerArn;
    public String propagationError;
    public int batchSize;
  }

  private ContextExtractor() {}

  public static Result extract(byte[] payload, String xrayHeader) {
    Result r = new Result();
    Object event = null;
    if (payload != null && payload.length > 1 && payload[0] == '{') {
      try {
        event = Json.parse(new String(payload, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        r.propagationError = "event is not valid JSON";
      }
    }
    if (event != null) {
      detectTrigger(event, r);
      try {
        r.context = fromEvent(event, r);
      } catch (RuntimeException e) {
        r.propagationError = "malformed context: " + e.getMessage();
      }
    }
    if (r.context == null && xrayHeader != null) r.context = fromXray(xrayHeader);
    return r;
  }

  private static TraceContext fromEvent(Object event, Result r) {
    Map<String, Object> headers = Json.object(Json.at(event, "headers"));
    if (headers != null) {
      TraceContext c = fromDatadogHeaders(headers, "http-headers", r);
      if (c != null) return c;
    }
    Map<String, Object> multi = Json.object(Json.at(event, "multiValueHeaders"));
    if (multi != null) {
      TraceContext c = fromDatadogHeaders(firstValues(multi), "http-headers", r);
      if (c != null) return c;
    }
    if ("aws:sqs".equals(Json.at(event, "Records", 0, "eventSource"))) {
      Map<String, Object> attr = Json.object(Json.at(event, "Records", 0, "messageAttributes", "_datadog"));
      if (attr != null) {
        Map<String, Object> carrier = carrier(attr.get("stringValue"), attr.get("binaryValue"), r);
        if (carrier != null) return fromDatadogHeaders(carrier, "sqs", r);
      }
    }
    Map<String, Object> direct = Json.object(Json.at(event, "_datadog"));
    if (direct != null) return fromDatadogHeaders(direct, "event", r);
    return null;
  }

  private static Map<String, Object> firstValues(Map<String, Object> multi) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Object> e : multi.entrySet()) {
      List<Object> values = Json.array(e.getValue());
      if (values != null && !values.isEmpty()) out.put(e.getKey(), values.get(0));
    }
    return out;
  }

  private static Map<String, Object> carrier(Object stringValue, Object binaryValue, Result r) {
    String json = Json.string(stringValue);
    if (json == null && binaryValue instanceof String) {
      try {
        json = new String(Base64.getDecoder().decode((String) binaryValue), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        r.propagationError = "_datadog binaryValue is not base64";
        return null;
      }
    }
    if (json == null) return null;
    try {
      Map<String, Object> m = Json.object(Json.parse(json));
      if (m == null) r.propagationError = "_datadog is not a JSON object";
      return m;
    } catch (IllegalArgumentException e) {
      r.propagationError = "_datadog is not valid JSON";
      return null;
    }
  }

  /** Reads x-datadog-* headers, names case-insensitive. Null when there is no trace id. */
  static TraceContext fromDatadogHeaders(Map<String, Object> headers, String source, Result r) {
    String traceId = null, parentId = null, priority = null, origin = null, tags = null;
    for (Map.Entry<String, Object> e : headers.entrySet()) {
      String v = e.getValue() == null ? null : String.valueOf(e.getValue());
      switch (e.getKey().toLowerCase(Locale.ROOT)) {
        case "x-datadog-trace-id": traceId = v; break;
        case "x-datadog-parent-id": parentId = v; break;
        case "x-datadog-sampling-priority": priority = v; break;
        case "x-datadog-origin": origin = v; break;
        case "x-datadog-tags": tags = v; break;
        default: break;
      }
    }
    if (traceId == null) return null;
    long trace = parseUnsigned(traceId);
    long parent = parentId == null ? 0 : parseUnsigned(parentId);
    if (trace == 0 || parent == 0) {
      r.propagationError = "x-datadog-trace-id/parent-id missing, zero or not a number in " + source;
      return null;
    }
    int prio = TraceContext.PRIORITY_UNSET;
    if (priority != null) {
      try {
        prio = Integer.parseInt(priority.trim());
      } catch (NumberFormatException e) {
        r.propagationError = "x-datadog-sampling-priority is not a number";
      }
    }
    return new TraceContext(trace, highBits(tags), parent, prio, origin, source);
  }

  /** {@code _dd.p.tid=<16 hex>} in x-datadog-tags: the high 64 bits of a 128-bit trace id. */
  private static long highBits(String tags) {
    if (tags == null) return 0;
    for (String kv : tags.split(",")) {
      if (kv.startsWith("_dd.p.tid=") && kv.length() == 10 + 16) {
        try {
          return Long.parseUnsignedLong(kv.substring(10), 16);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static long parseUnsigned(String s) {
    try {
      return s.length() > 20 ? 0 : Long.parseUnsignedLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * X-Ray {@code Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>} as Datadog's Lambda libraries convert it:
   * trace id = the last 16 hex digits masked to 63 bits, parent = Parent, Sampled=1 keeps (2) else rejects (-1).
   */
  public static TraceContext fromXray(String header) {
    String root = null, parent = null, sampled = null;
    for (String part : header.split(";")) {
      int eq = part.indexOf('=');
      if (eq <= 0) continue;
      String k = part.substring(0, eq).trim(), v = part.substring(eq + 1).trim();
      if (k.equals("Root")) root = v;
      else if (k.equals("Parent")) parent = v;
      else if (k.equals("Sampled")) sampled = v;
    }
    if (root == null || parent == null || root.length() != 35 || parent.length() != 16) return null;
    try {
      long trace = Long.parseUnsignedLong(root.substring(19), 16) & 0x7FFF_FFFF_FFFF_FFFFL;
      long parentId = Long.parseUnsignedLong(parent, 16);
      if (trace == 0 || parentId == 0) return null;
      return new TraceContext(trace, 0, parentId, "1".equals(sampled) ? 2 : -1, null, "xray");
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The trigger's event source and ARN, as Datadog's {@code function_trigger.*} tags name them. */
  private static void detectTrigger(Object event, Result r) {
    Object records = Json.at(event, "Records");
    List<Object> list = Json.array(records);
    if (list != null && !list.isEmpty()) {
      r.batchSize = list.size();
      Object src = Json.at(event, "Records", 0, "eventSource");
      if (src == null) src = Json.at(event, "Records", 0, "EventSource");
      String s = Json.string(src);
      if (s != null && s.startsWith("aws:")) {
        r.trigger = s.substring(4);
        Object arn = Json.at(event, "Records", 0, "eventSourceARN");
        if (arn == null) arn = Json.at(event, "Records", 0, "EventSubscriptionArn");
        if (arn == null) arn = Json.at(event, "Records", 0, "Sns", "TopicArn");
        r.triggerArn = Json.string(arn);
      }
      return;
    }
    if (Json.at(event, "requestContext", "elb") != null) {
      r.trigger = "application-load-balancer";
      r.triggerArn = Json.string(Json.at(event, "requestContext", "elb", "targetGroupArn"));
    } else if (Json.at(event, "requestContext", "stage") != null) {
      String domain = Json.string(Json.at(event, "requestContext", "domainName"));
      r.trigger = domain != null && domain.contains(".lambda-url.") ? "lambda-function-url" : "api-gateway";
    } else if (Json.at(event, "detail-type") != null) {
      r.trigger = "eventbridge";
      r.triggerArn = Json.string(Json.at(event, "source"));
    }
  }
}
