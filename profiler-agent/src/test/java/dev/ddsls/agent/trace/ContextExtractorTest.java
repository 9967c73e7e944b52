package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ContextExtractorTest {
  private static ContextExtractor.Result extract(String json, String xray) {
    return ContextExtractor.extract(json.getBytes(StandardCharsets.UTF_8), xray);
  }

  @Test void apiGatewayHeadersCaseInsensitive() {
    ContextExtractor.Result r = extract("{\"resource\":\"/\",\"requestContext\":{\"stage\":\"prod\",\"domainName\":\"abc.execute-api.us-east-1.amazonaws.com\"},"
        + "\"headers\":{\"X-Datadog-Trace-Id\":\"12345\",\"x-datadog-parent-id\":\"678\",\"X-DATADOG-SAMPLING-PRIORITY\":\"2\","
        + "\"x-datadog-tags\":\"_dd.p.tid=66bcb5eb00000000,_dd.p.dm=-0\"}}", null);
    assertEquals(12345L, r.context.traceId);
    assertEquals(0x66bcb5eb00000000L, r.context.traceIdHigh);
    assertEquals(678L, r.context.parentId);
    assertEquals(2, r.context.samplingPriority);
    assertEquals("api-gateway", r.trigger);
  }

  @Test void albMultiValueHeaders() {
    ContextExtractor.Result r = extract("{\"requestContext\":{\"elb\":{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1\"}},"
        + "\"multiValueHeaders\":{\"x-datadog-trace-id\":[\"18446744073709551615\"],\"x-datadog-parent-id\":[\"9\"]}}", null);
    assertEquals(-1L, r.context.traceId); // unsigned max
    assertEquals(9L, r.context.parentId);
    assertEquals("application-load-balancer", r.trigger);
  }

  @Test void sqsStringAndBinaryAttributes() {
    String carrier = "{\"x-datadog-trace-id\":\"111\",\"x-datadog-parent-id\":\"222\",\"x-datadog-sampling-priority\":\"1\"}";
    String str = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-1:1:orders\",\"messageAttributes\":"
        + "{\"_datadog\":{\"stringValue\":" + quote(carrier) + ",\"dataType\":\"String\"}}},{\"eventSource\":\"aws:sqs\"}]}";
    ContextExtractor.Result r = extract(str, null);
    assertEquals(111L, r.context.traceId);
    assertEquals(222L, r.context.parentId);
    assertEquals("sqs", r.trigger);
    assertEquals("arn:aws:sqs:us-east-1:1:orders", r.triggerArn);
    assertEquals(2, r.batchSize);
    String bin = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageAttributes\":{\"_datadog\":{\"binaryValue\":\""
        + Base64.getEncoder().encodeToString(carrier.getBytes(StandardCharsets.UTF_8)) + "\",\"dataType\":\"Binary\"}}}]}";
    assertEquals(111L, extract(bin, null).context.traceId);
  }

  @Test void xrayHeaderConvertedAsDatadogDoes() {
    TraceContext c = ContextExtractor.fromXray("Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1;Lineage=c6c5b1b9:0");
    assertNotNull(c);
    assertEquals(Long.parseUnsignedLong("8c398be037738dc042009320".substring(8), 16) & Long.MAX_VALUE, c.traceId);
    assertEquals(Long.parseUnsignedLong("94ae789b969f1cc5", 16), c.parentId);
    assertEquals(2, c.samplingPriority);
    assertEquals(-1, ContextExtractor.fromXray("Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=0").samplingPriority);
  }

  @Test void xrayIsTheFallback() {
    ContextExtractor.Result r = extract("{}", "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1");
    assertEquals("xray", r.context.source);
  }

  @Test void malformedContextsStartANewRootAndSayWhy() {
    ContextExtractor.Result r = extract("{\"headers\":{\"x-datadog-trace-id\":\"abc\",\"x-datadog-parent-id\":\"1\"}}", null);
    assertNull(r.context);
    assertNotNull(r.propagationError);
    r = extract("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageAttributes\":{\"_datadog\":{\"binaryValue\":\"%%%\"}}}]}", null);
    assertNull(r.context);
    assertEquals("_datadog binaryValue is not base64", r.propagationError);
    r = extract("{\"headers\":", null);
    assertNull(r.context);
    assertEquals("event is not valid JSON", r.propagationError);
    assertNull(ContextExtractor.fromXray("Root=1-zz;Parent=1"));
  }

  private static String quote(String s) { return "\"" + s.replace("\"", "\\\"") + "\""; }
}
