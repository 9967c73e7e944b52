package dev.ddsls.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls demo} as a user runs it: collector, agent in real cold starts, diagnose reading back. Beside the suite's
 * other classes: the top finding it checks is the one {@code RealFunctionsBesideAHogTest} holds beside a hog.
 */
@Tag("e2e")
class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void explainsThePlantedColdStartCauseFromTheCollector() throws Exception {
    Path out = tmp.resolve("demo");
    CliProcess.Result r = CliProcess.run(tmp, "demo", "--runs", "2", "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    // coldstart's table ends with "results: <file>"; the diagnose report follows
    String json = r.stdout().substring(r.stdout().indexOf('{', r.stdout().indexOf("results: ")));
    JsonNode report = new ObjectMapper().readTree(json);
    assertEquals("ddsls.diagnose/v1", report.get("schema").asText());
    assertTrue(report.get("source").asText().startsWith("http://127.0.0.1:"), "read back from the collector: " + report.get("source"));
    JsonNode fn = report.get("functions").get(0);
    assertEquals(2, fn.get("coldStarts").asInt());
    JsonNode top = fn.get("findings").get(0);
    assertEquals("init-cpu-hotspot", top.get("id").asText());
    assertTrue(top.toString().contains("example.Rules.build"), top.toString());
    assertTrue(Files.isDirectory(out.resolve("collector")), "the collector's store is kept");
    assertTrue(Files.isRegularFile(out.resolve("coldstart").resolve("results.json")));
  }
}
