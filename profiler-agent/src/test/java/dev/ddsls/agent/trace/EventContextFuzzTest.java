package dev.ddsls.agent.trace;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of what the agent reads from every invocation's event (docs/reliability.md "Parsers and the
 * CLI"): its JSON, the trigger, the trace context of each trigger's carrier, the X-Ray header, and an error response's
 * message. The agent must never throw into the function, so anything thrown here, or a run past Jazzer's time limit,
 * is a finding. Seeds: the Lambda event samples of the trace-context tests (API Gateway, ALB, SQS, SNS, EventBridge,
 * Kinesis, DynamoDB, S3, Step Functions, function URLs).
 */
class EventContextFuzzTest {
  private static final String XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

  @FuzzTest(maxDuration = "30s")
  void anyEventGivesAContextOrNone(byte[] event) {
    ContextExtractor.extract(event, XRAY);
    ContextExtractor.extract(event, new String(event, 0, Math.min(event.length, 120), StandardCharsets.ISO_8859_1));
    Invocation.errorMessage(event);
  }
}
