package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentLog;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the caller's trace context for one invocation, in this order: {@code DD_TRACE_EXTRACTOR}, the trigger's
 * carrier (HTTP headers, SQS/SNS {@code _datadog} attributes, SNS or EventBridge envelopes inside SQS bodies,
 * EventBridge {@code detail._datadog}, Kinesis data, the Step Functions context object, SQS {@code AWSTraceHeader}
 * written by dd-trace-java), a direct {@code _datadog} or {@code headers} field, the client context's
 * {@code custom}, and last the X-Ray header (only with {@code DD_MERGE_XRAY_TRACES=true}). Batches use their first
 * record. Malformed carriers never throw: they are reported in {@link Result#propagationError}, counted, and the
 * invocation starts a new root.
 */
final class ContextExtractor {
  private static final AtomicLong ERRORS = new AtomicLong();

  /** What extraction found. */
  static final class Result {
    /** The upstream context, or null: a new root. */
    TraceContext context;
    Trigger trigger = new Trigger();
    String propagationError;
    /** The X-Ray trace id of an invocation that was not parented to X-Ray (merge off), for cross-reference. */
    String xrayTraceId;

    void error(String what) {
      if (propagationError != null) return;
      propagationError = what;
      ERRORS.incrementAndGet();
      AgentLog.once("propagation-error", "a trace context could not be read (" + what + "); such invocations start new traces");
    }
  }

  private ContextExtractor() {}

  /** Malformed contexts seen since start. */
  static long propagationErrors() { return ERRORS.get(); }

  /** With {@link TraceSettings#defaults()}, no client context and no function ARN. */
  static Result extract(byte[] payload, String xrayHeader) {
    return extract(payload, xrayHeader, null, null, TraceSettings.defaults());
  }

  static Result extract(byte[] payload, String xrayHeader, String clientContext, String functionArn, TraceSettings s) {
    Result r = new Result();
    try {
      Object event = parseEvent(payload, r);
      if (event != null) r.trigger = Triggers.detect(event, functionArn);
      if (event != null && s.customExtractor != null) {
        Map<String, ?> h = s.customExtractor.headers(event, payload);
        if (h != null) r.context = source(HeaderExtractor.extract(h, s.extractStyles, r), "custom");
      }
      if (r.context == null && event != null) r.context = fromEvent(event, r, s);
      if (r.context == null && clientContext != null) r.context = fromClientContext(clientContext, r, s);
    } catch (RuntimeException e) {
      // A shape no branch above expected: never let it reach the function.
      r.context = null;
      r.error("unexpected event shape (" + AgentLog.describe(e) + ")");
    }
    XRay xray = XRay.parse(xrayHeader);
    if (xrayHeader != null && xray == null) AgentLog.once("xray-malformed", "Lambda-Runtime-Trace-Id is malformed; ignored");
    if (xray != null && r.context == null) {
      if (s.mergeXray) r.context = xray.toDatadog();
      else r.xrayTraceId = xray.traceId();
    }
    return r;
  }

  private static Object parseEvent(byte[] payload, Result r) {
    if (payload == null) return null;
    int i = 0;
    while (i < payload.length && (payload[i] == ' ' || payload[i] == '\n' || payload[i] == '\r' || payload[i] == '\t')) i++;
    if (i >= payload.length || payload[i] != '{') return null;
    try {
      return Json.parse(new String(payload, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      r.error("event is not valid JSON");
      return null;
    }
  }

  private static TraceContext fromEvent(Object event, Result r, TraceSettings s) {
    Map<String, Object> e = Json.object(event);
    Trigger t = r.trigger;
    String src = t.eventSource == null ? "" : t.eventSource;
    Map<String, Object> r0 = Json.object(Json.at(e, "Records", 0));
    switch (src) {
      case "api-gateway": case "lambda-function-url": case "application-load-balancer":
        return source(httpHeaders(e, r, s), "http");
      case "sqs": return sqs(r0, r, s);
      case "sns": {
        Map<String, Object> sns = Json.object(r0.get("Sns"));
        t.hops.add(Triggers.snsHop(sns));
        return source(HeaderExtractor.extract(snsCarrier(sns, r), s.extractStyles, r), "sns");
      }
      case "eventbridge": {
        Map<String, Object> carrier = objectCarrier(Json.at(e, "detail", "_datadog"), r);
        t.hops.add(Triggers.eventBridgeHop(e, carrier));
        return source(HeaderExtractor.extract(carrier, s.extractStyles, r), "eventbridge");
      }
      case "kinesis": {
        t.hops.add(Triggers.kinesisHop(r0));
        return source(HeaderExtractor.extract(kinesisCarrier(r0, r), s.extractStyles, r), "kinesis");
      }
      case "dynamodb": t.hops.add(Triggers.dynamodbHop(r0)); return null;
      case "s3": t.hops.add(Triggers.s3Hop(r0)); return null;
      case "states": return StepFunctions.extract(StepFunctions.contextObject(e), r);
      default: break;
    }
    TraceContext c = source(HeaderExtractor.extract(objectCarrier(e.get("_datadog"), r), s.extractStyles, r), "event");
    if (c == null) c = source(httpHeaders(e, r, s), "http");
    return c;
  }

  private static TraceContext httpHeaders(Map<String, Object> e, Result r, TraceSettings s) {
    Map<String, Object> headers = Json.object(e.get("headers"));
    TraceContext c = HeaderExtractor.extract(headers, s.extractStyles, r);
    if (c != null) return c;
    Map<String, Object> multi = Json.object(e.get("multiValueHeaders"));
    return multi == null ? null : HeaderExtractor.extract(firstValues(multi), s.extractStyles, r);
  }

  /** SQS: the message attribute; else an SNS or EventBridge envelope in the body; else AWSTraceHeader from dd-trace-java. */
  private static TraceContext sqs(Map<String, Object> r0, Result r, TraceSettings s) {
    Trigger.Hop sqsHop = Triggers.sqsHop(r0);
    TraceContext c = null;
    Map<String, Object> attr = Json.object(Json.at(r0, "messageAttributes", "_datadog"));
    if (attr != null) {
      c = source(HeaderExtractor.extract(attributeCarrier(attr.get("dataType"), attr.get("stringValue"), attr.get("binaryValue"), r),
          s.extractStyles, r), "sqs");
    } else {
      Map<String, Object> body = bodyObject(r0.get("body"));
      if (body != null && "Notification".equals(body.get("Type")) && body.get("TopicArn") != null) {
        r.trigger.hops.add(Triggers.snsHop(body));
        c = source(HeaderExtractor.extract(snsCarrier(body, r), s.extractStyles, r), "sns");
      } else if (body != null && body.get("detail-type") != null) {
        Map<String, Object> carrier = objectCarrier(Json.at(body, "detail", "_datadog"), r);
        r.trigger.hops.add(Triggers.eventBridgeHop(body, carrier));
        c = source(HeaderExtractor.extract(carrier, s.extractStyles, r), "eventbridge");
      }
    }
    if (c == null) {
      XRay x = XRay.parse(Json.string(Json.at(r0, "attributes", "AWSTraceHeader")));
      if (x != null && x.fromDatadog()) c = source(x.toDatadog(), "sqs-awstraceheader");
    }
    r.trigger.hops.add(sqsHop);
    return c;
  }

  private static Map<String, Object> snsCarrier(Map<String, Object> sns, Result r) {
    Map<String, Object> attr = Json.object(Json.at(sns, "MessageAttributes", "_datadog"));
    if (attr == null) return null;
    Object type = attr.get("Type");
    boolean binary = type instanceof String && ((String) type).startsWith("Binary");
    return attributeCarrier(type, binary ? null : attr.get("Value"), binary ? attr.get("Value") : null, r);
  }

  /** {@code String*} types carry JSON text, {@code Binary*} base64 of it. */
  private static Map<String, Object> attributeCarrier(Object dataType, Object stringValue, Object binaryValue, Result r) {
    String json = null;
    if (stringValue != null) {
      json = Json.string(stringValue);
      if (json == null) r.error("_datadog string value is not a string");
    } else if (binaryValue != null) {
      json = base64Text(binaryValue, r);
    }
    if (json == null) return null;
    return jsonCarrier(json, r);
  }

  private static Map<String, Object> kinesisCarrier(Map<String, Object> r0, Result r) {
    String data = base64Text(Json.at(r0, "kinesis", "data"), r);
    if (data == null || !data.trim().startsWith("{")) return null; // not JSON data: no context, not an error
    Map<String, Object> record = jsonCarrier(data, r);
    return record == null ? null : objectCarrier(record.get("_datadog"), r);
  }

  private static TraceContext fromClientContext(String clientContext, Result r, TraceSettings s) {
    Map<String, Object> cc = jsonCarrier(clientContext, r);
    Map<String, Object> custom = cc == null ? null : Json.object(cc.get("custom"));
    if (custom == null) return null;
    Map<String, Object> dd = Json.object(custom.get("_datadog"));
    return source(HeaderExtractor.extract(dd != null ? dd : custom, s.extractStyles, r), "client-context");
  }

  private static String base64Text(Object v, Result r) {
    if (!(v instanceof String)) {
      if (v != null) r.error("_datadog binary value is not a base64 string");
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(((String) v).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      r.error("_datadog binary value is not base64");
      return null;
    }
  }

  private static Map<String, Object> jsonCarrier(String json, Result r) {
    try {
      Map<String, Object> m = Json.object(Json.parse(json));
      if (m == null) r.error("_datadog is not a JSON object");
      return m;
    } catch (IllegalArgumentException e) {
      r.error("_datadog is not valid JSON");
      return null;
    }
  }

  private static Map<String, Object> objectCarrier(Object v, Result r) {
    if (v == null) return null;
    Map<String, Object> m = Json.object(v);
    if (m == null) r.error("_datadog is not an object");
    return m;
  }

  /** An SQS body that is JSON (SNS or EventBridge envelope); null for anything else, which is not an error. */
  private static Map<String, Object> bodyObject(Object body) {
    String s = Json.string(body);
    if (s == null || !s.startsWith("{")) return null;
    try {
      return Json.object(Json.parse(s));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Map<String, Object> firstValues(Map<String, Object> multi) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : multi.entrySet()) {
      List<Object> values = Json.array(e.getValue());
      if (values != null && !values.isEmpty()) out.put(e.getKey(), values.get(0));
    }
    return out;
  }

  private static TraceContext source(TraceContext c, String carrier) {
    if (c == null) return null;
    return c.withSource(carrier + (c.source.equals(TraceSettings.TRACECONTEXT) ? "/tracecontext" : ""));
  }
}
