package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Broken carriers start a new root trace, are tagged and counted, and never throw. */
class MalformedContextTest {
  static String dd(String trace, String parent) {
    return "{\\\"x-datadog-trace-id\\\":\\\"" + trace + "\\\",\\\"x-datadog-parent-id\\\":\\\"" + parent + "\\\"}";
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"headers\":{\"x-datadog-trace-id\":\"abc\",\"x-datadog-parent-id\":\"1\"},\"requestContext\":{\"stage\":\"p\"}}",
      "{\"headers\":{\"x-datadog-trace-id\":\"0\",\"x-datadog-parent-id\":\"1\"},\"requestContext\":{\"stage\":\"p\"}}",
      "{\"headers\":{\"x-datadog-trace-id\":\"5\",\"x-datadog-parent-id\":\"0\"},\"requestContext\":{\"stage\":\"p\"}}",
      "{\"headers\":{\"x-datadog-trace-id\":\"-5\",\"x-datadog-parent-id\":\"7\"},\"requestContext\":{\"stage\":\"p\"}}",
      "{\"headers\":{\"x-datadog-trace-id\":\"123456789012345678901234567890\",\"x-datadog-parent-id\":\"1\"}}",
      "{\"headers\":{\"x-datadog-trace-id\":\"18446744073709551616\",\"x-datadog-parent-id\":\"1\"}}",
      "{\"headers\":{\"traceparent\":\"00-00000000000000000000000000000000-00f067aa0ba902b7-01\"}}",
      "{\"headers\":{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01\"}}",
      "{\"headers\":{\"traceparent\":\"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}}",
      "{\"headers\":{\"traceparent\":\"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01\"}}",
      "{\"headers\":{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01\"}}",
      "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageAttributes\":{\"_datadog\":{\"dataType\":\"Binary\",\"binaryValue\":\"%%%\"}}}]}",
      "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageAttributes\":{\"_datadog\":{\"dataType\":\"String\",\"stringValue\":\"{not json\"}}}]}",
      "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageAttributes\":{\"_datadog\":{\"dataType\":\"String\",\"stringValue\":\"[1,2]\"}}}]}",
      "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageAttributes\":{\"_datadog\":{\"dataType\":\"String\",\"stringValue\":42}}}]}",
      "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\",\"MessageAttributes\":{\"_datadog\":{\"Type\":\"Binary\",\"Value\":\"!!\"}}}}]}",
      "{\"Records\":[{\"eventSource\":\"aws:kinesis\",\"kinesis\":{\"data\":\"not base64!\"}}]}",
      "{\"detail-type\":\"x\",\"source\":\"s\",\"detail\":{\"_datadog\":\"a string\"}}",
      "{\"_datadog\":[1]}",
      "{\"_datadog\":{\"x-datadog-trace-id\":\"5\",\"x-datadog-parent-id\":\"6\",\"x-datadog-tags\":\"_dd.p.tid=XYZ\"}}",
      "{\"Execution\":{\"Id\":7},\"State\":{},\"StateMachine\":{}}",
      "{\"headers\": {\"x-datadog-trace-id\": ",
  })
  void newRootTaggedCountedNeverThrows(String event) {
    long before = ContextExtractor.propagationErrors();
    List<Span> spans = TriggerTableTest.spans(event.getBytes(StandardCharsets.UTF_8), null, null, Collections.<String, String>emptyMap());
    Span lambda = spans.get(spans.size() - 1);
    assertNotNull(lambda.meta.get("_dd.propagation_error"), event);
    assertEquals(before + 1, ContextExtractor.propagationErrors());
    if (!event.contains("_dd.p.tid=XYZ")) assertEquals(spans.size() == 1 ? 0L : spans.get(spans.size() - 2).spanId, lambda.parentId);
    assertNotEquals(0L, lambda.traceId);
  }

  @ParameterizedTest
  @ValueSource(ints = {513, 10_000})
  void overlongTagsAreDropped(int length) {
    StringBuilder tags = new StringBuilder("_dd.p.dm=-0");
    while (tags.length() < length) tags.append(",_dd.p.x=y");
    String e = "{\"_datadog\":{\"x-datadog-trace-id\":\"5\",\"x-datadog-parent-id\":\"6\",\"x-datadog-tags\":\"" + tags + "\"}}";
    Span s = TriggerTableTest.spans(e.getBytes(StandardCharsets.UTF_8), null, null, Collections.<String, String>emptyMap()).get(0);
    assertEquals("extract_max_size", s.meta.get("_dd.propagation_error"));
    assertEquals(5L, s.traceId); // the ids themselves were fine
    assertTrue(s.meta.get("_dd.p.x") == null, "the upstream's tags were dropped");
    // No priority came with the context: the agent decided (keep), recorded as a tracer's default decision.
    assertEquals("-0", s.meta.get("_dd.p.dm"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "null", "[]", "\"text\"", "{}", "  \n{\"a\":1}"})
  void oddButValidPayloadsAreNoError(String payload) {
    Span s = TriggerTableTest.spans(payload.getBytes(StandardCharsets.UTF_8), "garbage", null, Collections.<String, String>emptyMap()).get(0);
    assertEquals(null, s.meta.get("_dd.propagation_error"));
    assertEquals(0L, s.parentId);
  }

  static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }
}
