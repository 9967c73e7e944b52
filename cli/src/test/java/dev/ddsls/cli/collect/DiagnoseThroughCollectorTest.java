package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * The whole path a user takes without Datadog: {@code ddsls collect} receives what the agent sends from a real cold
 * start ({@code ddsls coldstart --agent on}, the agent pointed at the collector), and {@code ddsls diagnose} reads the
 * store back over HTTP and names the planted cause: the top finding that holds beside a hog, so this runs beside the
 * suite's other classes.
 */
@Tag("e2e")
class DiagnoseThroughCollectorTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void coldStartSentToTheCollectorIsDiagnosedFromIt() throws Exception {
    try (CollectorProcess collector = CollectorProcess.start("--data", tmp.resolve("store").toString())) {
      String url = "http://127.0.0.1:" + collector.port;
      Path event = tmp.resolve("event.json");
      Files.writeString(event, "{}");
      List<String> args = new ArrayList<>(List.of("coldstart", "--jar", CliProcess.examplesJar().toString(),
          "--handler", "example.RulesHandler::handleRequest", "--runs", "2", "--invocations", "2", "--agent", "on",
          "--event", event.toString(), "--out", tmp.resolve("out").toString(), "--format", "json",
          "--env", "DD_TRACE_AGENT_URL=" + url));
      // All 4 invocations' spans are counted (with the default flush, 3 were stored when the exit flush ran out). What
      // is sent when is AgentEndToEndTest's; this test is about reading the collector back.
      args.addAll(CliProcess.envArgs(CliProcess.PATIENT_AGENT));
      CliProcess.Result run = CliProcess.run(tmp, args.toArray(String[]::new));
      assertEquals(0, run.exit(), run.stdout() + run.stderr());

      CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", url, "--format", "json");
      assertEquals(0, r.exit(), r.stdout() + r.stderr() + collector.output());
      JsonNode report = JSON.readTree(r.stdout());
      assertEquals(url, report.get("source").asText().replaceAll("/$", ""));
      assertTrue(report.get("inputs").get("profiles").asInt() > 0, report.get("inputs").toString());
      JsonNode rules = report.get("functions").get(0);
      assertEquals(4, rules.get("invocations").asInt(), rules.toString());
      assertEquals(2, rules.get("coldStarts").asInt(), rules.toString());
      JsonNode top = rules.get("findings").get(0);
      assertEquals("init-cpu-hotspot", top.get("id").asText(), rules.get("findings").toString());
      assertEquals("example.Rules.build", top.get("evidence").get("frame").asText());
      for (JsonNode id : top.get("evidence").get("profileIds")) {
        assertTrue(id.asText().startsWith("collector:profile/"), id.asText());
      }
    }
  }
}
