package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace context through the real runtime interface client: AWS sample events carrying a Datadog context (the
 * agent's own test fixtures) are handed to a real function by {@code ddsls coldstart}; the agent's spans continue
 * the caller's trace. And with DD_MERGE_XRAY_TRACES the invocation continues the X-Ray trace of the
 * Lambda-Runtime-Trace-Id header.
 */
@Tag("e2e")
class TraceContextEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path EVENTS = Path.of("..", "profiler-agent", "src", "test", "resources", "events").toAbsolutePath().normalize();
  static final String TRACE = "1234567890123456789";
  static final String PARENT = "987654321";

  @TempDir Path tmp;

  private Path run(List<String> events, String... env) throws Exception {
    Path out = tmp.resolve("out-" + env.length + "-" + events.size());
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", Integer.toString(events.size()),
        "--agent", "on", "--out", out.toString()));
    for (String e : events) {
      args.add("--event");
      args.add(EVENTS.resolve(e).toString());
    }
    for (String kv : env) {
      args.add("--env");
      args.add(kv);
    }
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    return out.resolve("run-1");
  }

  @Test
  void triggersCarryTheCallersContextIntoTheInvocationSpan() throws Exception {
    Path run = run(List.of("apigateway-rest.json", "sqs-string.json", "sns-sqs-envelope.json", "eventbridge.json"));
    List<JsonNode> spans = AgentEndToEndTest.spans(run);
    List<JsonNode> lambda = spans.stream().filter(s -> s.get("name").asText().equals("aws.lambda")).collect(Collectors.toList());
    assertEquals(4, lambda.size(), spans.toString());
    List<String> sources = new ArrayList<>();
    List<String> inferred = new ArrayList<>();
    for (JsonNode s : lambda) {
      String source = s.get("meta").get("function_trigger.event_source").asText();
      sources.add(source);
      assertEquals(TRACE, s.get("trace_id").asText(), source);
      assertEquals(2, s.get("metrics").get("_sampling_priority_v1").asInt(), source);
      // the invocation's parent is the inferred span of the managed service, whose own chain leads to the caller
      JsonNode parent = byId(spans, s.get("parent_id").asText());
      assertNotNull(parent, source + ": inferred parent span missing");
      inferred.add(parent.get("name").asText());
      JsonNode top = parent;
      while (!top.get("parent_id").asText().equals(PARENT)) {
        top = byId(spans, top.get("parent_id").asText());
        assertNotNull(top, source + ": chain broken");
      }
      assertEquals(TRACE, top.get("trace_id").asText());
    }
    assertEquals(List.of("api-gateway", "sqs", "sqs", "eventbridge"), sources);
    assertEquals(List.of("aws.apigateway", "aws.sqs", "aws.sqs", "aws.eventbridge"), inferred);
    // SNS delivered through SQS: aws.sns -> aws.sqs -> aws.lambda
    JsonNode snsThroughSqs = lambda.get(2);
    JsonNode sqsHop = byId(spans, snsThroughSqs.get("parent_id").asText());
    assertEquals("aws.sqs", sqsHop.get("name").asText());
    assertEquals("aws.sns", byId(spans, sqsHop.get("parent_id").asText()).get("name").asText());
  }

  @Test
  void xrayMergeContinuesTheRuntimesTraceHeader() throws Exception {
    Path run = run(List.of("direct-plain.json"), "DD_MERGE_XRAY_TRACES=true");
    JsonNode span = AgentEndToEndTest.spans(run).stream().filter(s -> s.get("name").asText().equals("aws.lambda")).findFirst().orElseThrow();
    String header = JSON.readTree(Files.readAllLines(run.resolve("invocations.jsonl")).get(0)).get("traceHeader").asText();
    String root = header.replaceAll(".*Root=([^;]+).*", "$1");
    String parent = header.replaceAll(".*Parent=([0-9a-f]{16}).*", "$1");
    assertEquals(Long.toUnsignedString(Long.parseUnsignedLong(root.substring(root.length() - 16), 16) & Long.MAX_VALUE),
        span.get("trace_id").asText(), header);
    assertEquals(Long.toUnsignedString(Long.parseUnsignedLong(parent, 16)), span.get("parent_id").asText(), header);
    assertEquals("xray", span.get("meta").get("_dd.parent_source").asText());

    // Without the setting, the same invocation starts a new root and only records the X-Ray trace.
    Path alone = run(List.of("direct-plain.json", "direct-plain.json"));
    JsonNode root2 = AgentEndToEndTest.spans(alone).stream().filter(s -> s.get("name").asText().equals("aws.lambda")).findFirst().orElseThrow();
    assertEquals("0", root2.get("parent_id").asText());
  }

  private static JsonNode byId(List<JsonNode> spans, String id) {
    for (JsonNode s : spans) if (s.get("span_id").asText().equals(id)) return s;
    return null;
  }
}
