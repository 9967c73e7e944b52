package dev.ddsls.cli.gate;

import dev.ddsls.cli.CliProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Runs {@code ddsls gate} as a process on synthetic results files. */
@Tag("e2e")
class GateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Result(int exit, String stdout, String stderr) {}

  private Result gate(Map<String, String> env, String... args) throws Exception {
    Map<String, String> all = new HashMap<>();
    all.put("GITHUB_ACTIONS", null);
    all.put("GITHUB_STEP_SUMMARY", null);
    all.putAll(env);
    List<String> cmd = new ArrayList<>(List.of("gate"));
    cmd.addAll(List.of(args));
    CliProcess.Result r = CliProcess.run(tmp, all, 60, cmd.toArray(new String[0]));
    return new Result(r.exit(), r.stdout(), r.stderr());
  }

  private Result gate(String... args) throws Exception { return gate(Map.of(), args); }

  /** A ddsls.coldstart/v1 results.json with {@code n} ok runs whose init times are normal(mean, sd). */
  private Path results(String name, int n, double mean, double sd, long seed) throws Exception {
    Random r = new Random(seed);
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", "ddsls.coldstart/v1");
    root.put("handler", "example.HelloHandler::handleRequest");
    root.put("agent", true);
    ArrayNode runs = root.putArray("runs");
    for (int i = 0; i < n; i++) {
      double init = Math.round((mean + sd * r.nextGaussian()) * 10) / 10.0;
      ObjectNode run = runs.addObject();
      run.put("run", i + 1);
      run.put("status", "ok");
      run.putNull("error");
      run.put("initMs", init);
      ObjectNode ph = run.putObject("phasesMs");
      ph.put("jvm", 40.0);
      ph.put("agent", 3.0);
      ph.put("runtimeInit", init - 43);
      run.putArray("invocationsMs").add(90.0 + r.nextInt(10)).add(3.0).add(2.8);
      run.putArray("files");
    }
    Path file = tmp.resolve(name);
    JSON.writeValue(file.toFile(), root);
    return file;
  }

  @Test
  void candidate300msSlowerFails() throws Exception {
    Path base = results("base.json", 20, 800, 30, 1);
    Path cand = results("cand.json", 20, 1100, 30, 2);
    Path junit = tmp.resolve("out/junit.xml");
    Path bench = tmp.resolve("out/bench.json");
    Result r = gate("--results", cand.toString(), "--baseline", base.toString(), "--max-regression", "init.p50:10%",
        "--threshold", "init.p90<1500ms", "--junit", junit.toString(), "--json", bench.toString());
    assertEquals(1, r.exit(), r.stdout() + r.stderr());
    assertTrue(r.stdout().startsWith("rule"), r.stdout());
    assertTrue(r.stdout().contains("regression: slower than tolerated +10.0%"), r.stdout());
    assertTrue(r.stdout().contains("gate failed: 1 failed, 0 warnings, 1 passed"), r.stdout());

    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    assertEquals(2, d.getElementsByTagName("testcase").getLength());
    assertEquals(1, d.getElementsByTagName("failure").getLength());
    assertEquals("init.p50:10%", ((Element) d.getElementsByTagName("failure").item(0).getParentNode()).getAttribute("name"));

    JsonNode b = JSON.readTree(bench.toFile());
    assertEquals(2, b.size(), b.toString());
    for (JsonNode e : b) {
      assertEquals("ms", e.get("unit").asText());
      assertTrue(e.get("value").asDouble() > 1000, e.toString());
    }
  }

  @Test
  void identicalDistributionsPass() throws Exception {
    Path base = results("base.json", 20, 800, 30, 1);
    Path cand = results("cand.json", 20, 800, 30, 3);
    Result r = gate("--results", cand.toString(), "--baseline", base.toString(),
        "--max-regression", "init.p50:10%", "--max-regression", "init.p90:10%", "--threshold", "runs.ok>=99%");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains("gate passed: 0 failed, 0 warnings, 3 passed"), r.stdout());
    // The very same file as baseline and candidate: no change at all.
    assertEquals(0, gate("--results", base.toString(), "--baseline", base.toString(), "--max-regression", "init.avg:1%").exit());
  }

  @Test
  void unknownMetricIsAOneLineUsageError() throws Exception {
    Path cand = results("cand.json", 20, 800, 30, 1);
    Result r = gate("--results", cand.toString(), "--threshold", "inti.p90<1500ms");
    assertEquals(2, r.exit(), r.stdout() + r.stderr());
    assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    assertTrue(r.stderr().startsWith("ddsls: unknown metric 'inti' for ddsls.coldstart/v1"), r.stderr());
    assertEquals("", r.stdout());
    assertEquals(2, gate("--results", cand.toString(), "--threshold", "init.p90 < soon").exit());
    assertEquals(2, gate("--results", cand.toString()).exit(), "no rules");
    assertEquals(2, gate("--results", cand.toString(), "--max-regression", "init.p50:10%").exit(), "no baseline");
  }

  @Test
  void missingOrUnreadableResultsAreDataUnavailable() throws Exception {
    Result r = gate("--results", tmp.resolve("nope.json").toString(), "--threshold", "init.p90<1500ms");
    assertEquals(3, r.exit(), r.stderr());
    assertTrue(r.stderr().startsWith("ddsls: cannot read results"), r.stderr());
    Path garbage = Files.writeString(tmp.resolve("garbage.json"), "{not json");
    assertEquals(3, gate("--results", garbage.toString(), "--threshold", "init.p90<1500ms").exit());
    Path other = Files.writeString(tmp.resolve("other.json"), "{\"schema\": \"something/v9\"}");
    assertEquals(3, gate("--results", other.toString(), "--threshold", "init.p90<1500ms").exit());
  }

  @Test
  void insufficientDataTakesTheRulesLevel() throws Exception {
    Path cand = results("cand.json", 20, 800, 30, 1);
    Result err = gate("--results", cand.toString(), "--threshold", "init.p99<5s");
    assertEquals(1, err.exit(), err.stdout());
    assertTrue(err.stdout().contains("FAIL (insufficient data)"), err.stdout());
    assertTrue(err.stdout().contains("insufficient data: init p99 needs at least 100 samples, has 20"), err.stdout());
    Result warn = gate("--results", cand.toString(), "--threshold", "warn:init.p99<5s");
    assertEquals(0, warn.exit(), warn.stdout());
    assertTrue(warn.stdout().contains("WARN (insufficient data)"), warn.stdout());
  }

  @Test
  void githubAnnotationsAndStepSummary() throws Exception {
    Path base = results("base.json", 20, 800, 30, 1);
    Path cand = results("cand.json", 20, 1100, 30, 2);
    Path summary = Files.writeString(tmp.resolve("summary.md"), "earlier step\n");
    Result r = gate(Map.of("GITHUB_ACTIONS", "true", "GITHUB_STEP_SUMMARY", summary.toString()),
        "--results", cand.toString(), "--baseline", base.toString(), "--max-regression", "init.p50:10%",
        "--threshold", "warn:init.p90<1s");
    assertEquals(1, r.exit(), r.stderr());
    List<String> annotations = r.stdout().lines().filter(l -> l.startsWith("::")).toList();
    assertEquals(2, annotations.size(), r.stdout());
    assertTrue(annotations.get(0).startsWith("::error title=ddsls gate%3A init.p50%3A10%25 (example.HelloHandler%3A%3AhandleRequest)::init p50 +"), annotations.get(0));
    assertTrue(annotations.get(1).startsWith("::warning title=ddsls gate%3A init.p90<1s"), annotations.get(1));
    String md = Files.readString(summary);
    assertTrue(md.startsWith("earlier step\n### ddsls gate: **failed**"), md);
    assertTrue(md.contains("| `init.p50:10%` |"), md);
    // Not on GitHub: no workflow commands.
    assertFalse(gate("--results", cand.toString(), "--threshold", "init.p90<1s").stdout().contains("::error"));
  }

  @Test
  void yamlConfig() throws Exception {
    Path base = results("base.json", 20, 800, 30, 1);
    Path cand = results("cand.json", 20, 1100, 30, 2);
    Path cfg = Files.writeString(tmp.resolve("gate.yaml"), """
        alpha: 0.01
        resamples: 2000
        thresholds:
          init: ["p(90)<1500ms", {threshold: "max<2s", level: warn}]
        regressions:
          - {regression: "init.p50:10%", level: warn}
        """);
    Result r = gate("--results", cand.toString(), "--baseline", base.toString(), "--config", cfg.toString());
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains("gate passed: 0 failed, 1 warnings, 2 passed"), r.stdout());
    Path bad = Files.writeString(tmp.resolve("bad.yaml"), "tresholds: []\n");
    Result e = gate("--results", cand.toString(), "--config", bad.toString());
    assertEquals(2, e.exit());
    assertTrue(e.stderr().startsWith("ddsls: unknown gate config key 'tresholds'"), e.stderr());
  }

  @Test
  void diagnoseReport() throws Exception {
    Path report = Files.writeString(tmp.resolve("report.json"), """
        { "schema": "ddsls.diagnose/v1", "source": "dir", "functions": [],
          "connectivity": { "invocationSpans": 120, "connected": 118, "orphans": 1, "roots": 1, "connectedRate": 0.983 } }
        """);
    Result r = gate("--results", report.toString(), "--threshold", "connectivity.connected>=0.99");
    assertEquals(1, r.exit(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains("connectivity.connected 0.9833 is not >= 0.9900"), r.stdout());
    assertEquals(0, gate("--results", report.toString(), "--threshold", "connectivity.connected>=98%").exit());
    assertEquals(2, gate("--results", report.toString(), "--threshold", "runs.ok>=0.99").exit());
  }
}
