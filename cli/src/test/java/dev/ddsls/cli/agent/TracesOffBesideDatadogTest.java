package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.profile.ProfileReader;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beside Datadog's extension with ddsls' spans off ({@code DDSLS_TRACE_ENABLED=false}, docs/lambda-layer.md): the
 * agent, in a real JVM under the real runtime interface client ({@code ddsls coldstart}), labels samples with the
 * invocation's request id and no span id of its own; diagnose ties them to {@code aws.lambda} spans shaped as
 * Datadog's extension makes them (its span id the tracer's, its {@code request_id} tag the invocation's) by that tag.
 * The extension itself (a Linux binary of a Lambda layer) does not run here: its span's shape is taken from its sources.
 */
@Tag("e2e")
class TracesOffBesideDatadogTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void samplesCarryTheRequestIdAndDiagnoseJoinsTheExtensionsSpan() throws Exception {
    Path out = tmp.resolve("out");
    CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler",
        "example.RulesHandler::handleRequest", "--runs", "1", "--invocations", "2", "--agent", "on",
        "--env", "DDSLS_TRACE_ENABLED=false", "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    Path run = out.resolve("run-1");

    List<String> requestIds = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("invocations.jsonl"))) requestIds.add(JSON.readTree(line).get("requestId").asText());
    assertEquals(2, requestIds.size());

    // The agent's profiles: no span ids (no span of ddsls is sent), the request id on every invocation's samples.
    Set<String> labelled = new HashSet<>();
    int init = 0;
    try (Stream<Path> files = Files.list(run)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("profile-")).toList()) {
        for (ProfileInput in : ProfileReader.read(f, f.getFileName().toString()).inputs()) {
          for (ProfileSample s : in.profile().samples()) {
            assertFalse(s.numLabels().containsKey("span id") || s.numLabels().containsKey("local root span id"), f + ": " + s);
            if (s.strLabel("request id") != null) labelled.add(s.strLabel("request id"));
            if ("init".equals(s.strLabel("phase"))) {
              init++;
              assertEquals(requestIds.get(0), s.strLabel("request id"), "init samples name the cold invocation");
            }
          }
        }
      }
    }
    assertTrue(init > 0, "init samples");
    assertTrue(requestIds.containsAll(labelled) && labelled.contains(requestIds.get(0)), labelled + " vs " + requestIds);

    // Datadog's side: the extension's aws.lambda spans instead of ddsls' local ones (written to the output directory
    // only). Span ids are the tracer's (x-datadog-span-id at /lambda/end-invocation), unknown to the agent.
    try (Stream<Path> files = Files.list(run)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("spans-")).toList()) Files.delete(f);
    }
    ArrayNode traces = JSON.createArrayNode();
    long start = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < requestIds.size(); i++) traces.addArray().add(extensionSpan(9_100_000_000_000_000_001L + i,
        7_300_000_000_000_000_001L + i, requestIds.get(i), i == 0, start + i * 1_000_000_000L));
    Files.writeString(run.resolve("datadog-spans.json"), traces.toString());

    CliProcess.Result d = CliProcess.run(tmp, "diagnose", "--source", out.toString(), "--format", "json");
    assertEquals(0, d.exit(), d.stdout() + d.stderr());
    JsonNode report = JSON.readTree(d.stdout());
    String notes = report.get("notes").toString();
    assertTrue(notes.contains("tied to their invocation span by request id"), notes);
    JsonNode fn = report.get("functions").get(0);
    assertEquals(1, report.get("functions").size(), report.get("functions").toString());
    assertEquals("ruleshandler", fn.get("function").asText());
    assertEquals(2, fn.get("invocations").asInt());
    assertEquals(1, fn.get("coldStarts").asInt());
    JsonNode initReport = fn.get("init");
    assertNotNull(initReport);
    assertEquals(1, initReport.get("coldStarts").asInt(), initReport.toString());
    assertTrue(initReport.get("cpuMs").asDouble() > 0, initReport.toString());
    // The planted cause of RulesHandler's cold start is found through the joined samples.
    assertTrue(initReport.get("ownFrames").toString().contains("example.Rules.build"), initReport.get("ownFrames").toString());
  }

  /**
   * An aws.lambda span as Datadog's extension (bottlecap) sends it: name aws.lambda, type serverless, span.kind
   * server, request_id from the invocation, cold_start, and the function's tags (docs/lambda-layer.md cites them).
   */
  static ObjectNode extensionSpan(long traceId, long spanId, String requestId, boolean cold, long startNanos) {
    ObjectNode s = JSON.createObjectNode();
    s.put("trace_id", Long.toUnsignedString(traceId));
    s.put("span_id", Long.toUnsignedString(spanId));
    s.put("parent_id", 0);
    s.put("name", "aws.lambda");
    s.put("resource", "ruleshandler");
    s.put("service", "ruleshandler");
    s.put("type", "serverless");
    s.put("start", startNanos);
    s.put("duration", 50_000_000L);
    ObjectNode meta = s.putObject("meta");
    meta.put("span.kind", "server");
    meta.put("request_id", requestId);
    meta.put("cold_start", Boolean.toString(cold));
    meta.put("functionname", "ruleshandler");
    meta.put("function_arn", "arn:aws:lambda:eu-west-1:123456789012:function:ruleshandler");
    meta.put("runtime", "java17");
    meta.put("_dd.origin", "lambda");
    s.putObject("metrics").put("_sampling_priority_v1", 1);
    return s;
  }
}
