package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 128-bit trace id survives the way through the collector: the tracer puts {@code _dd.p.tid} on the trace's first
 * span only; the read API serves the spans as received, found by the whole id; diagnose gives the other spans their
 * high half, selects the trace by the whole id and prints it whole.
 */
@Tag("e2e")
class TraceId128ThroughCollectorTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String HIGH = "6502f1a400000000";
  static final long LOW = 1234567890123456789L;
  static final String WHOLE = HIGH + String.format("%016x", LOW);

  @TempDir Path tmp;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void theWholeIdReachesTheReport() throws Exception {
    try (CollectorProcess collector = CollectorProcess.start("--data", tmp.resolve("store").toString())) {
      String url = "http://127.0.0.1:" + collector.port;
      // The invocation starts 1 s before its parent: a child-before-parent anomaly, which names its trace.
      String traces = "[[{\"trace_id\":" + LOW + ",\"span_id\":1,\"parent_id\":0,\"name\":\"aws.sqs\",\"resource\":\"orders\","
          + "\"service\":\"orders\",\"type\":\"web\",\"start\":2000000000000000000,\"duration\":5000000,\"error\":0,"
          + "\"meta\":{\"_dd.p.tid\":\"" + HIGH + "\"},\"metrics\":{\"_dd._inferred_span\":1}},"
          + "{\"trace_id\":" + LOW + ",\"span_id\":2,\"parent_id\":1,\"name\":\"aws.lambda\",\"resource\":\"fn\",\"service\":\"fn\","
          + "\"type\":\"serverless\",\"start\":1999999999000000000,\"duration\":9000000,\"error\":0,"
          + "\"meta\":{\"functionname\":\"fn\",\"cold_start\":\"true\"},\"metrics\":{}}]]";
      HttpResponse<String> put = CollectorProcess.HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v0.4/traces"))
          .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(traces)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, put.statusCode(), put.body());

      HttpResponse<String> read = CollectorProcess.HTTP.send(HttpRequest.newBuilder(URI.create(url + "/ddsls/v1/spans?trace_id=" + WHOLE))
          .build(), HttpResponse.BodyHandlers.ofString());
      JsonNode spans = JSON.readTree(read.body()).get("spans");
      assertEquals(2, spans.size(), read.body());
      // Pages are in start order: the invocation first.
      assertEquals(List.of(2, 1), List.of(spans.get(0).get("span_id").asInt(), spans.get(1).get("span_id").asInt()));
      assertEquals(HIGH, spans.get(1).get("meta").path("_dd.p.tid").asText(), "served as received: " + read.body());
      assertTrue(spans.get(0).get("meta").path("_dd.p.tid").isMissingNode(), "served as received: " + read.body());

      for (String id : new String[] {WHOLE, WHOLE.toUpperCase(), Long.toUnsignedString(LOW)}) {
        CliProcess.Result r = CliProcess.run(tmp, Map.of(), 120, "diagnose", "--source", url, "--format", "json",
            "--trace-id", id, "--quiet");
        assertEquals(0, r.exit(), r.stdout() + r.stderr() + collector.output());
        JsonNode report = JSON.readTree(r.stdout());
        assertEquals(1, report.get("functions").get(0).get("invocations").asInt(), r.stdout());
        JsonNode anomalies = report.get("connectivity").get("anomalies");
        assertEquals(1, anomalies.size(), anomalies.toString());
        assertEquals("child-before-parent", anomalies.get(0).get("kind").asText());
        assertEquals(WHOLE, anomalies.get(0).get("traceId").asText(), "the invocation span learnt its high half");
      }
      CliProcess.Result other = CliProcess.run(tmp, Map.of(), 120, "diagnose", "--source", url, "--format", "json",
          "--trace-id", "0000000000000001" + String.format("%016x", LOW), "--quiet");
      assertEquals(0, other.exit(), other.stdout() + other.stderr());
      assertEquals(0, JSON.readTree(other.stdout()).get("functions").size(), "another 128-bit trace with the same low half");
    }
  }
}
