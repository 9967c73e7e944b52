package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.TraceFixtures;
import dev.ddsls.agent.lambda.InvocationEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every trigger, from AWS's published sample events with a context in each carrier and encoding
 * (src/test/resources/events): the spans' trace id, parents, sampling priority and trigger tags.
 */
class TriggerTableTest {
  static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn";
  static final long DD_TRACE = 1234567890123456789L, DD_PARENT = 987654321L, DD_HIGH = 0x66bcb5eb00000000L;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # file                          | event_source              | event_source_arn                                                          | batch | trace id            | trace high          | upstream parent      | prio | inferred spans             | http.method | http.route
      apigateway-rest.json              | api-gateway               | arn:aws:apigateway:us-east-1::/restapis/1234567890/stages/prod             | -     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.apigateway             | POST        | /{proxy+}
      apigateway-http.json              | api-gateway               | arn:aws:apigateway:us-east-1::/restapis/api-id/stages/$default             | -     | 1234567890123456789 | 7402991908412194816 | 67667974448284343    | 2    | aws.httpapi                | GET         | /pets/{id}
      function-url.json                 | lambda-function-url       | arn:aws:lambda:us-east-1:123456789012:url:my-fn                            | -     | 1234567890123456789 | 0                   | 987654321            | 1    | aws.lambda.url             | POST        | -
      alb.json                          | application-load-balancer | arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a | - | 1234567890123456789 | 0 | 987654321 | -1 | - | GET | -
      alb-multivalue.json               | application-load-balancer | arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a | - | 1234567890123456789 | 0 | 987654321 | 0 | - | GET | -
      sqs-string.json                   | sqs                       | arn:aws:sqs:us-east-1:123456789012:my-queue                                | 2     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.sqs                    | -           | -
      sqs-binary.json                   | sqs                       | arn:aws:sqs:us-east-1:123456789012:my-queue                                | 1     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.sqs                    | -           | -
      sqs-awstraceheader.json           | sqs                       | arn:aws:sqs:us-east-1:123456789012:my-queue                                | 1     | 1234567890123456789 | 0                   | 987654321            | 2    | aws.sqs                    | -           | -
      sns-string.json                   | sns                       | arn:aws:sns:us-east-1:123456789012:sns-lambda                              | 1     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.sns                    | -           | -
      sns-binary.json                   | sns                       | arn:aws:sns:us-east-1:123456789012:sns-lambda                              | 1     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.sns                    | -           | -
      sns-sqs-envelope.json             | sqs                       | arn:aws:sqs:us-east-1:123456789012:my-queue                                | 1     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.sns,aws.sqs            | -           | -
      sns-sqs-raw.json                  | sqs                       | arn:aws:sqs:us-east-1:123456789012:my-queue                                | 1     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.sqs                    | -           | -
      eventbridge.json                  | eventbridge               | com.example.orders                                                         | -     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.eventbridge            | -           | -
      kinesis.json                      | kinesis                   | arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream                | 1     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | aws.kinesis                | -           | -
      dynamodb.json                     | dynamodb                  | arn:aws:dynamodb:us-west-2:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899 | 2 | - | - | - | 1 | aws.dynamodb | - | -
      s3.json                           | s3                        | arn:aws:s3:::example-bucket                                                | 1     | -                   | -                   | -                    | 1    | aws.s3                     | -           | -
      stepfunctions.json                | states                    | arn:aws:states:sa-east-1:601427271234:stateMachine:DatadogStateMachine      | -     | sfn                 | sfn                 | 4340734536022949921  | 1    | -                          | -           | -
      stepfunctions-legacy-payload.json | states                    | arn:aws:states:sa-east-1:601427271234:stateMachine:DatadogStateMachine      | -     | sfn                 | sfn                 | 4340734536022949921  | 1    | -                          | -           | -
      direct.json                       | -                         | -                                                                          | -     | 1234567890123456789 | 7402991908412194816 | 987654321            | 2    | -                          | -           | -
      direct-plain.json                 | -                         | -                                                                          | -     | -                   | -                   | -                    | 1    | -                          | -           | -
      """)
  void trigger(String file, String source, String arn, Integer batch, String trace, String high, Long parent, int prio,
               String inferred, String method, String route) throws IOException {
    List<Span> spans = spans(file, null, Collections.<String, String>emptyMap());
    Span lambda = spans.get(spans.size() - 1);
    assertEquals("aws.lambda", lambda.name);
    String[] hops = inferred == null ? new String[0] : inferred.split(",");
    assertEquals(hops.length + 1, spans.size());
    for (int i = 0; i < hops.length; i++) {
      Span h = spans.get(i);
      assertEquals(hops[i], h.name);
      assertEquals(lambda.traceId, h.traceId);
      assertEquals(i == 0 ? (parent == null ? 0 : parent) : spans.get(i - 1).spanId, h.parentId, "parent of " + h.name);
      assertEquals("1", h.metrics.get("_dd._inferred_span") == null ? null : "1");
    }
    assertEquals(hops.length == 0 ? (parent == null ? 0L : parent) : spans.get(hops.length - 1).spanId, lambda.parentId);
    if ("sfn".equals(trace)) {
      String exec = "arn:aws:states:sa-east-1:601427271234:express:DatadogStateMachine:acaf1a67-336a-e854-1599-2a627eb2dd8a:c8baf081-31f1-464d-971f-70cb17d01111";
      assertEquals(StepFunctions.traceIdLow(exec), lambda.traceId);
      assertEquals(StepFunctions.traceIdHigh(exec), lambda.traceIdHigh);
    } else if (trace != null) {
      assertEquals(Long.parseUnsignedLong(trace), lambda.traceId);
      assertEquals(Long.parseUnsignedLong(high), lambda.traceIdHigh);
    } else {
      assertNull(lambda.meta.get("_dd.parent_source"), "a new root");
      assertEquals("-0", lambda.meta.get("_dd.p.dm"), "the agent's own sampling decision is recorded as a tracer's default one");
    }
    assertEquals(AgentConfig.RUNTIME_ID, lambda.meta.get("runtime-id"));
    assertEquals("jvm", lambda.meta.get("language"));
    for (Span s : spans) assertEquals((double) prio, s.metrics.get("_sampling_priority_v1"), s.name);
    assertEquals(source, lambda.meta.get("function_trigger.event_source"));
    assertEquals(arn, lambda.meta.get("function_trigger.event_source_arn"));
    assertEquals(batch == null ? null : (double) batch, lambda.metrics.get("function_trigger.batch_size"));
    assertEquals(method, lambda.meta.get("http.method"));
    assertEquals(route, lambda.meta.get("http.route"));
    assertNull(lambda.meta.get("_dd.propagation_error"));
  }

  static List<Span> spans(String file, String clientContext, Map<String, String> env) throws IOException {
    return spans(read(file), null, clientContext, env);
  }

  static List<Span> spans(byte[] payload, String xray, String clientContext, Map<String, String> env) {
    AgentConfig config = TraceFixtures.config(env);
    TraceSettings settings = TraceSettings.from(config);
    InvocationEvent ev = new InvocationEvent("req-1", 0, ARN, xray, clientContext, Collections.<String, String>emptyMap(), payload, System.nanoTime());
    Invocation inv = new Invocation(ev, false, settings);
    inv.endNanos = inv.startNanos + 5_000_000;
    return InvocationSpans.build(inv, config, TraceFixtures.timeline());
  }

  static byte[] read(String file) throws IOException {
    try (InputStream in = TriggerTableTest.class.getResourceAsStream("/events/" + file)) {
      if (in == null) throw new IOException("no test resource " + file);
      return in.readAllBytes();
    }
  }
}
