package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The test vectors of datadog.md 5.4 (bottlecap step_function_event.rs). */
class StepFunctionsTest {
  @Test void traceIdVector() {
    String sm = "arn:aws:states:sa-east-1:425362996713:stateMachine:MyStateMachine-b276uka1j";
    assertEquals(1680583253837593461L, StepFunctions.traceIdLow(sm));
    assertEquals(6984552746569958392L, StepFunctions.traceIdHigh(sm));
    assertEquals("60ee1db79e4803f8", Long.toHexString(StepFunctions.traceIdHigh(sm)));
  }

  @Test void parentIdVector() {
    assertEquals(4340734536022949921L, StepFunctions.parentId(
        "arn:aws:states:sa-east-1:601427271234:express:DatadogStateMachine:acaf1a67-336a-e854-1599-2a627eb2dd8a:c8baf081-31f1-464d-971f-70cb17d01111",
        "step-one", "2022-12-08T21:08:19.224Z", 0, 0));
  }

  @Test void retriesChangeTheParent() {
    String e = "arn:aws:states:sa-east-1:601427271234:express:DatadogStateMachine:acaf1a67-336a-e854-1599-2a627eb2dd8a:c8baf081-31f1-464d-971f-70cb17d01111";
    long first = StepFunctions.parentId(e, "step-one", "2022-12-08T21:08:19.224Z", 0, 0);
    long retry = StepFunctions.parentId(e, "step-one", "2022-12-08T21:08:19.224Z", 1, 0);
    assertEquals(false, first == retry);
  }

  @Test void upstreamLambdaTraceContinues() {
    String event = "{\"Payload\":{\"Execution\":{\"Id\":\"arn:x:1\"},\"State\":{\"Name\":\"s\",\"EnteredTime\":\"2022-12-08T21:08:19.224Z\",\"RetryCount\":0},"
        + "\"StateMachine\":{\"Id\":\"arn:sm\"}},\"_\":0}";
    ContextExtractor.Result r = ContextExtractor.extract(event.getBytes(StandardCharsets.UTF_8), null);
    assertEquals(StepFunctions.traceIdLow("arn:x:1"), r.context.traceId);
    String jsonata = "{\"_datadog\":{\"Execution\":{\"Id\":\"arn:x:1\",\"RedriveCount\":0},\"State\":{\"Name\":\"s\",\"EnteredTime\":\"t\",\"RetryCount\":0},"
        + "\"StateMachine\":{\"Id\":\"arn:sm\"},\"serverless-version\":\"v1\",\"x-datadog-trace-id\":\"555\",\"x-datadog-tags\":\"_dd.p.tid=66bcb5eb00000000\"}}";
    r = ContextExtractor.extract(jsonata.getBytes(StandardCharsets.UTF_8), null);
    assertEquals(555L, r.context.traceId);
    assertEquals(0x66bcb5eb00000000L, r.context.traceIdHigh);
    assertEquals(StepFunctions.parentId("arn:x:1", "s", "t", 0, 0), r.context.parentId);
    assertEquals("states", r.trigger.eventSource);
  }
}
