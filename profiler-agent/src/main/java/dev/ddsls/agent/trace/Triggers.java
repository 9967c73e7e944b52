package dev.ddsls.agent.trace;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Detects the trigger from the event's shape (datadog-lambda-python {@code parse_event_source}), its tags, and the
 * managed-service hops that become inferred spans (python {@code create_inferred_span_from_*}, bottlecap triggers).
 */
final class Triggers {
  private Triggers() {}

  static Trigger detect(Object event, String functionArn) {
    Trigger t = new Trigger();
    Map<String, Object> e = Json.object(event);
    if (e == null) return t;
    Map<String, Object> rc = Json.object(e.get("requestContext"));
    List<Object> records = Json.array(e.get("Records"));
    if (rc != null && rc.get("elb") != null) {
      alb(e, rc, t);
    } else if (rc != null && rc.get("stage") != null) {
      http(e, rc, t, functionArn);
    } else if (e.get("awslogs") != null) {
      t.eventSource = "cloudwatch-logs";
    } else if (e.get("detail-type") != null && !"aws.events".equals(e.get("source"))) {
      t.eventSource = "eventbridge";
      t.eventSourceArn = Json.string(e.get("source"));
    } else if ("aws.events".equals(e.get("source"))) {
      t.eventSource = "cloudwatch-events";
      t.eventSourceArn = Json.string(Json.at(e, "resources", 0));
    } else if (StepFunctions.contextObject(e) != null) {
      t.eventSource = "states";
      t.eventSourceArn = Json.string(Json.at(StepFunctions.contextObject(e), "StateMachine", "Id"));
    } else if (records != null && !records.isEmpty()) {
      t.batchSize = records.size();
      Map<String, Object> r0 = Json.object(records.get(0));
      Object src = r0 == null ? null : r0.containsKey("eventSource") ? r0.get("eventSource") : r0.get("EventSource");
      String s = Json.string(src);
      if (s != null && s.startsWith("aws:")) {
        t.eventSource = s.substring(4);
        t.eventSourceArn = recordArn(t.eventSource, r0);
      }
    }
    return t;
  }

  private static String recordArn(String source, Map<String, Object> r0) {
    switch (source) {
      case "sns": return Json.string(Json.at(r0, "Sns", "TopicArn"));
      case "s3": {
        String bucket = Json.string(Json.at(r0, "s3", "bucket", "arn"));
        return bucket;
      }
      default: return Json.string(r0.get("eventSourceARN"));
    }
  }

  private static void alb(Map<String, Object> e, Map<String, Object> rc, Trigger t) {
    t.eventSource = "application-load-balancer";
    t.eventSourceArn = Json.string(Json.at(rc, "elb", "targetGroupArn"));
    t.httpMethod = Json.string(e.get("httpMethod"));
    t.httpUrl = Json.string(e.get("path"));
  }

  /** API Gateway REST (v1), HTTP API (v2), WebSocket, Function URL. */
  private static void http(Map<String, Object> e, Map<String, Object> rc, Trigger t, String functionArn) {
    String domain = Json.string(rc.get("domainName"));
    String apiId = Json.string(rc.get("apiId"));
    String stage = Json.string(rc.get("stage"));
    boolean url = domain != null && domain.split("\\.").length > 1 && domain.split("\\.")[1].equals("lambda-url");
    boolean v2 = rc.get("http") != null;
    String method = v2 ? Json.string(Json.at(rc, "http", "method")) : Json.string(e.get("httpMethod"));
    String path = v2 ? Json.string(e.get("rawPath")) : Json.string(e.get("path"));
    String route = v2 ? routeOf(Json.string(e.get("routeKey"))) : Json.string(e.get("resource"));
    t.httpMethod = method;
    t.httpRoute = url ? null : route;
    t.httpUrl = domain == null ? path : "https://" + domain + (path == null ? "" : path);
    String[] arn = functionArn == null ? new String[0] : functionArn.split(":");
    String region = arn.length > 3 ? arn[3] : null;
    Trigger.Hop hop = new Trigger.Hop();
    hop.service = domain;
    hop.sync = true;
    if (url) {
      t.eventSource = "lambda-function-url";
      if (arn.length > 6) t.eventSourceArn = "arn:" + arn[1] + ":lambda:" + arn[3] + ":" + arn[4] + ":url:" + arn[6] + (arn.length > 7 ? ":" + arn[7] : "");
      hop.name = "aws.lambda.url";
      hop.resource = method + " " + path;
      hop.startNanos = millis(rc.get("timeEpoch"));
    } else {
      t.eventSource = "api-gateway";
      if (apiId != null && stage != null && region != null) t.eventSourceArn = "arn:" + arn[1] + ":apigateway:" + region + "::/restapis/" + apiId + "/stages/" + stage;
      if (rc.get("messageDirection") != null) {
        hop.name = "aws.apigateway.websocket";
        hop.resource = Json.string(rc.get("routeKey"));
        hop.startNanos = millis(rc.get("requestTimeEpoch"));
      } else if (v2) {
        hop.name = "aws.httpapi";
        hop.resource = method + " " + (route == null ? path : route);
        hop.startNanos = millis(rc.get("timeEpoch"));
      } else {
        hop.name = "aws.apigateway";
        hop.resource = method + " " + route;
        hop.startNanos = millis(rc.get("requestTimeEpoch"));
      }
      hop.meta.put("apiid", apiId == null ? "" : apiId);
      hop.meta.put("stage", stage);
    }
    hop.meta.put("http.method", method == null ? "" : method);
    hop.meta.put("http.url", t.httpUrl == null ? "" : t.httpUrl);
    if (t.httpRoute != null) hop.meta.put("http.route", t.httpRoute);
    hop.meta.put("operation_name", hop.name);
    hop.meta.put("request_id", Json.string(rc.get("requestId")) == null ? "" : Json.string(rc.get("requestId")));
    t.hops.add(hop);
  }

  /** {@code "GET /pets/{id}"} to {@code /pets/{id}}; {@code $default} stays. */
  private static String routeOf(String routeKey) {
    if (routeKey == null) return null;
    int sp = routeKey.indexOf(' ');
    return sp < 0 ? routeKey : routeKey.substring(sp + 1);
  }

  static Trigger.Hop sqsHop(Map<String, Object> r0) {
    String arn = Json.string(r0.get("eventSourceARN"));
    String queue = lastPart(arn, ':');
    Trigger.Hop h = hop("aws.sqs", queue);
    h.startNanos = millis(Json.at(r0, "attributes", "SentTimestamp"));
    h.meta.put("queuename", queue);
    h.meta.put("event_source_arn", arn == null ? "" : arn);
    putIf(h, "receipt_handle", r0.get("receiptHandle"));
    putIf(h, "sender_id", Json.at(r0, "attributes", "SenderId"));
    return h;
  }

  /** {@code sns} is a record's {@code Sns} object or the envelope an SQS body holds. */
  static Trigger.Hop snsHop(Map<String, Object> sns) {
    String arn = Json.string(sns.get("TopicArn"));
    String topic = lastPart(arn, ':');
    Trigger.Hop h = hop("aws.sns", topic);
    h.startNanos = iso(sns.get("Timestamp"));
    h.meta.put("topicname", topic);
    h.meta.put("topic_arn", arn == null ? "" : arn);
    putIf(h, "message_id", sns.get("MessageId"));
    putIf(h, "type", sns.get("Type"));
    putIf(h, "subject", sns.get("Subject"));
    return h;
  }

  static Trigger.Hop eventBridgeHop(Map<String, Object> event, Map<String, Object> carrier) {
    String resource = carrier == null ? null : Json.string(carrier.get("x-datadog-resource-name"));
    if (resource == null) resource = Json.string(event.get("source"));
    Trigger.Hop h = hop("aws.eventbridge", resource);
    String start = carrier == null ? null : Json.string(carrier.get("x-datadog-start-time"));
    long ms = start == null ? 0 : HeaderExtractor.decimal(start);
    h.startNanos = ms > 0 ? ms * 1_000_000L : iso(event.get("time"));
    putIf(h, "detail_type", event.get("detail-type"));
    return h;
  }

  static Trigger.Hop kinesisHop(Map<String, Object> r0) {
    String arn = Json.string(r0.get("eventSourceARN"));
    String stream = lastPart(arn, '/');
    Trigger.Hop h = hop("aws.kinesis", stream);
    h.startNanos = seconds(Json.at(r0, "kinesis", "approximateArrivalTimestamp"));
    h.meta.put("streamname", stream);
    String eventId = Json.string(r0.get("eventID"));
    if (eventId != null) h.meta.put("shardid", eventId.split(":")[0]);
    putIf(h, "event_id", r0.get("eventID"));
    putIf(h, "event_name", r0.get("eventName"));
    putIf(h, "partition_key", Json.at(r0, "kinesis", "partitionKey"));
    return h;
  }

  static Trigger.Hop dynamodbHop(Map<String, Object> r0) {
    String arn = Json.string(r0.get("eventSourceARN"));
    String table = arn == null || arn.indexOf("table/") < 0 ? null : arn.substring(arn.indexOf("table/") + 6).split("/")[0];
    Trigger.Hop h = hop("aws.dynamodb", table);
    h.startNanos = seconds(Json.at(r0, "dynamodb", "ApproximateCreationDateTime"));
    h.meta.put("tablename", table == null ? "" : table);
    putIf(h, "stream_view_type", Json.at(r0, "dynamodb", "StreamViewType"));
    putIf(h, "size_bytes", Json.at(r0, "dynamodb", "SizeBytes"));
    putIf(h, "event_name", r0.get("eventName"));
    return h;
  }

  static Trigger.Hop s3Hop(Map<String, Object> r0) {
    String bucket = Json.string(Json.at(r0, "s3", "bucket", "name"));
    Trigger.Hop h = hop("aws.s3", bucket);
    h.startNanos = iso(r0.get("eventTime"));
    h.meta.put("bucketname", bucket == null ? "" : bucket);
    putIf(h, "bucket_arn", Json.at(r0, "s3", "bucket", "arn"));
    putIf(h, "object_key", Json.at(r0, "s3", "object", "key"));
    putIf(h, "object_size", Json.at(r0, "s3", "object", "size"));
    putIf(h, "object_etag", Json.at(r0, "s3", "object", "eTag"));
    putIf(h, "event_name", r0.get("eventName"));
    return h;
  }

  private static Trigger.Hop hop(String name, String resource) {
    Trigger.Hop h = new Trigger.Hop();
    h.name = name;
    h.resource = resource;
    h.service = resource;
    h.meta.put("operation_name", name);
    return h;
  }

  private static void putIf(Trigger.Hop h, String key, Object v) {
    if (v instanceof String) h.meta.put(key, (String) v);
    else if (v instanceof Long) h.meta.put(key, v.toString());
    else if (v instanceof Double && ((Double) v) == Math.rint((Double) v)) h.meta.put(key, Long.toString(((Double) v).longValue()));
  }

  private static String lastPart(String s, char sep) { return s == null ? null : s.substring(s.lastIndexOf(sep) + 1); }

  /** Epoch milliseconds as a number or a decimal string. */
  static long millis(Object v) {
    if (v instanceof Number) return ((Number) v).longValue() * 1_000_000L;
    if (v instanceof String) return HeaderExtractor.decimal((String) v) * 1_000_000L;
    return 0;
  }

  static long seconds(Object v) { return v instanceof Number ? Math.round(((Number) v).doubleValue() * 1e3) * 1_000_000L : 0; }

  static long iso(Object v) {
    if (!(v instanceof String)) return 0;
    try {
      Instant i = Instant.parse((String) v);
      return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
