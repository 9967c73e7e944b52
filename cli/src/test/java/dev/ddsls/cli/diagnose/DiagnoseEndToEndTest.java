package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The acceptance path: the agent profiles example handlers with planted causes under {@code ddsls coldstart} (real
 * JVMs, the real runtime interface client), and {@code ddsls diagnose} reads the output directory back.
 */
@Tag("e2e")
@Isolated("diagnoses a CPU-bound init: beside another JVM it is also found CPU-starved")
class DiagnoseEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Path coldstart(String name, String handler, String eventJson, int runs, int invocations) throws Exception {
    Path event = tmp.resolve(name + "-event.json");
    Files.writeString(event, eventJson);
    Path out = tmp.resolve("data").resolve(name);
    CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler", handler,
        "--runs", Integer.toString(runs), "--invocations", Integer.toString(invocations), "--agent", "on", "--event", event.toString(),
        "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    return out;
  }

  private JsonNode diagnose(Path source, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("diagnose", "--source", source.toString(), "--format", "json"));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stderr());
    JsonNode report = JSON.readTree(r.stdout());
    assertEquals("ddsls.diagnose/v1", report.get("schema").asText());
    return report;
  }

  @Test
  void namesThePlantedCauseAsTopFindingAndLeavesTheHealthyFunctionAlone() throws Exception {
    coldstart("rules", "example.RulesHandler::handleRequest", "{}", 2, 2);
    coldstart("waiting", "example.WaitingInitHandler::handleRequest", "{}", 1, 2);
    coldstart("hello", "example.HelloHandler::handleRequest", "{}", 1, 2);

    JsonNode rules = diagnose(tmp.resolve("data/rules")).get("functions").get(0);
    assertEquals("ruleshandler", rules.get("function").asText());
    assertEquals(4, rules.get("invocations").asInt());
    assertEquals(2, rules.get("coldStarts").asInt());
    assertEquals(2, rules.get("initMs").get("n").asInt());
    JsonNode top = rules.get("findings").get(0);
    assertEquals("init-cpu-hotspot", top.get("id").asText(), rules.get("findings").toString());
    assertEquals("example.Rules.build", top.get("evidence").get("frame").asText());
    assertEquals(2, top.get("evidence").get("coldStartSpanIds").size(), "evidence names the cold invocations");
    assertFalse(top.get("evidence").get("profileIds").isEmpty(), "evidence names the profiles");

    JsonNode waiting = diagnose(tmp.resolve("data/waiting")).get("functions").get(0);
    JsonNode w = waiting.get("findings").get(0);
    assertEquals("init-off-cpu", w.get("id").asText(), waiting.get("findings").toString());
    assertEquals("example.Secrets.fetch", w.get("evidence").get("frame").asText());
    assertTrue(w.get("evidence").get("waitingIn").asText().startsWith("java.lang.Thread.sleep"), w.toString());
    assertTrue(w.get("evidence").get("offCpuMs").asDouble() >= 400, w.toString());

    JsonNode hello = diagnose(tmp.resolve("data/hello")).get("functions").get(0);
    // Nothing blames the healthy function's code. The one finding its init may get, when the machine makes the runtime
    // client's own start slow, is the runtime's serialisation (its bundled Jackson building the converters of the
    // handler's types, seen once on a fresh-clone CI run at 150 ms): a cost of a RequestHandler, whose advice is the
    // handler's type, never a mapper the function does not have.
    for (JsonNode f : hello.get("findings")) {
      assertEquals("runtime-serialization", f.get("id").asText(), hello.get("findings").toString());
      assertFalse(f.get("evidence").toString().contains("\"example."), "the healthy function's own frames: " + f);
      assertFalse(f.get("advice").asText().contains("ObjectMapper"), "advice for a mapper the function does not have: " + f);
    }
    assertTrue(hello.get("init").get("cpuMs").asDouble() > 0, "the healthy function was profiled: " + hello.get("init"));

    // The whole tree at once: one report per function, selected by --function.
    JsonNode all = diagnose(tmp.resolve("data"));
    assertEquals(3, all.get("functions").size());
    JsonNode only = diagnose(tmp.resolve("data"), "--function", "waitinginithandler");
    assertEquals(1, only.get("functions").size());
    assertEquals("waitinginithandler", only.get("functions").get(0).get("function").asText());

    CliProcess.Result text = CliProcess.run(tmp, "diagnose", "--source", tmp.resolve("data/rules").toString());
    assertEquals(0, text.exit(), text.stderr());
    assertTrue(text.stdout().contains("init-cpu-hotspot") && text.stdout().contains("example.Rules.build"), text.stdout());
    for (String line : text.stdout().split("\n")) {
      if (line.strip().startsWith("see http")) continue; // a reference URL is printed whole: a cut one would not open
      assertTrue(line.length() <= 100, "over 100 columns: " + line);
    }
  }

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
    coldstart("sqs-ctx", "example.HelloHandler::handleRequest",
        String.format(sqs, "\"_datadog\":{\"dataType\":\"String\",\"stringValue\":\"" + datadog(1111, 2222) + "\"}"), 1, 1);
    coldstart("sqs-none", "example.HelloHandler::handleRequest", String.format(sqs, ""), 1, 1);
    coldstart("apigw-ctx", "example.HelloHandler::handleRequest",
        "{\"resource\":\"/orders\",\"path\":\"/orders\",\"httpMethod\":\"POST\",\"headers\":{\"x-datadog-trace-id\":\"3333\","
            + "\"x-datadog-parent-id\":\"4444\"},\"requestContext\":{\"stage\":\"prod\",\"apiId\":\"abc\",\"requestTimeEpoch\":1428582896000,"
            + "\"domainName\":\"abc.execute-api.us-east-1.amazonaws.com\"}}", 1, 1);
    coldstart("eventbridge-ctx", "example.HelloHandler::handleRequest",
        "{\"detail-type\":\"OrderPlaced\",\"source\":\"shop.orders\",\"time\":\"2024-05-01T12:00:00Z\",\"detail\":{\"_datadog\":"
            + "{\"x-datadog-trace-id\":\"5555\",\"x-datadog-parent-id\":\"6666\"}}}", 1, 1);
    coldstart("sns-none", "example.HelloHandler::handleRequest",
        "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:news\","
            + "\"Message\":\"hi\",\"Timestamp\":\"2024-05-01T12:00:00.000Z\",\"MessageAttributes\":{}}}]}", 1, 1);
    // The callers' spans: the SQS producer and the API client are there, the EventBridge publisher's span is not.
    Files.writeString(tmp.resolve("data/upstream-spans.jsonl"), upstream(1111, 2222, "orders-producer") + upstream(3333, 4444, "web-client"));

    JsonNode c = diagnose(tmp.resolve("data")).get("connectivity");
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
