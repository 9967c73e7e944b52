package dev.ddsls.cli.diagnose;

import static dev.ddsls.cli.diagnose.DiagnoseEndToEndTest.coldstart;
import static dev.ddsls.cli.diagnose.DiagnoseEndToEndTest.diagnose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace connectivity from real cold starts: the agent's spans of invocations triggered through SQS, API Gateway,
 * EventBridge and SNS, with and without the caller's context, read back by {@code ddsls diagnose}.
 */
@Tag("e2e")
class ConnectivityEndToEndTest {
  @TempDir Path tmp;

  static String datadog(long trace, long parent) {
    return "{\\\"x-datadog-trace-id\\\":\\\"" + trace + "\\\",\\\"x-datadog-parent-id\\\":\\\"" + parent
        + "\\\",\\\"x-datadog-sampling-priority\\\":\\\"1\\\"}";
  }

  static String upstream(long trace, long span, String service) {
    return "{\"trace_id\":" + trace + ",\"span_id\":" + span + ",\"parent_id\":0,\"name\":\"http.request\",\"resource\":\"POST /orders\","
        + "\"service\":\"" + service + "\",\"type\":\"web\",\"start\":1,\"duration\":5,\"error\":0,\"meta\":{},\"metrics\":{}}\n";
  }

  @Test
  void connectivityAcrossTriggersWithAndWithoutContext() throws Exception {
    String sqs = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:orders\","
        + "\"body\":\"x\",\"attributes\":{\"SentTimestamp\":\"1523232000000\"},\"messageAttributes\":{%s}}]}";
    coldstart(tmp, "sqs-ctx", "example.HelloHandler::handleRequest",
        String.format(sqs, "\"_datadog\":{\"dataType\":\"String\",\"stringValue\":\"" + datadog(1111, 2222) + "\"}"), 1, 1);
    coldstart(tmp, "sqs-none", "example.HelloHandler::handleRequest", String.format(sqs, ""), 1, 1);
    coldstart(tmp, "apigw-ctx", "example.HelloHandler::handleRequest",
        "{\"resource\":\"/orders\",\"path\":\"/orders\",\"httpMethod\":\"POST\",\"headers\":{\"x-datadog-trace-id\":\"3333\","
            + "\"x-datadog-parent-id\":\"4444\"},\"requestContext\":{\"stage\":\"prod\",\"apiId\":\"abc\",\"requestTimeEpoch\":1428582896000,"
            + "\"domainName\":\"abc.execute-api.us-east-1.amazonaws.com\"}}", 1, 1);
    coldstart(tmp, "eventbridge-ctx", "example.HelloHandler::handleRequest",
        "{\"detail-type\":\"OrderPlaced\",\"source\":\"shop.orders\",\"time\":\"2024-05-01T12:00:00Z\",\"detail\":{\"_datadog\":"
            + "{\"x-datadog-trace-id\":\"5555\",\"x-datadog-parent-id\":\"6666\"}}}", 1, 1);
    coldstart(tmp, "sns-none", "example.HelloHandler::handleRequest",
        "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:news\","
            + "\"Message\":\"hi\",\"Timestamp\":\"2024-05-01T12:00:00.000Z\",\"MessageAttributes\":{}}}]}", 1, 1);
    // The callers' spans: the SQS producer and the API client are there, the EventBridge publisher's span is not.
    Files.writeString(tmp.resolve("data/upstream-spans.jsonl"), upstream(1111, 2222, "orders-producer") + upstream(3333, 4444, "web-client"));

    JsonNode c = diagnose(tmp, tmp.resolve("data")).get("connectivity");
    assertEquals(5, c.get("invocationSpans").asInt(), c.toString());
    assertEquals(2, c.get("connected").asInt(), c.toString());
    assertEquals(1, c.get("orphans").asInt(), c.toString());
    assertEquals(2, c.get("roots").asInt(), c.toString());
    assertEquals(2, c.get("broken").asInt(), c.toString());
    JsonNode t = c.get("byTrigger");
    assertEquals(1, t.get("sqs").get("connected").asInt());
    assertEquals(1, t.get("sqs").get("broken").asInt());
    assertEquals(1, t.get("eventbridge").get("orphans").asInt());
    assertEquals(1, t.get("sns").get("broken").asInt());
    List<String> ids = new ArrayList<>();
    for (JsonNode f : c.get("findings")) ids.add(f.get("id").asText());
    assertTrue(ids.contains("orphan-spans") && ids.contains("context-not-propagated"), ids.toString());
    boolean upstreamNamed = false;
    for (JsonNode e : c.get("edges")) upstreamNamed |= e.get("from").asText().equals("orders-producer") && e.get("trigger").asText().equals("sqs");
    assertTrue(upstreamNamed, c.get("edges").toString());
  }
}
