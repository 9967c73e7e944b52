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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diagnose} on {@code ddsls coldstart} output directories ({@code results.json} as coldstart writes it, the runs
 * from {@link ColdStartFixture}): an A/B run's baseline and warm-up runs stay out of the candidate's report, a run
 * whose init failed is named and left out, a run with {@code --agent off} is said to be one.
 */
@Tag("e2e")
class DiagnoseColdstartDirsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CLINIT = "com.acme.orders.Handler.<clinit>", LOAD = "com.acme.orders.Catalog.load",
      PRICES = "com.acme.orders.pricing.PriceTable.compile";

  @TempDir Path tmp;

  /** A results.json with one entry per status ("ok", "init-error", "error", "timeout"); ab: null or a role. */
  static void results(Path dir, boolean agent, String role, String... statuses) throws Exception {
    StringBuilder runs = new StringBuilder();
    for (int i = 0; i < statuses.length; i++) {
      boolean init = !statuses[i].equals("init-error");
      runs.append(i == 0 ? "" : ",").append("{\"run\":").append(i + 1).append(",\"status\":\"").append(statuses[i]).append("\",\"error\":")
          .append(statuses[i].equals("ok") ? "null" : "\"" + (init ? "invocation 2 failed: boom" : "java.lang.ExceptionInInitializerError\\n\\tat x")
              + "\"").append(",\"initMs\":").append(init ? "1800.0" : "null").append(",\"phasesMs\":null,\"invocationsMs\":[],")
          .append("\"files\":[],\"uploads\":{\"traces\":0,\"profiles\":0,\"bytes\":0}}");
    }
    String ab = role == null ? "null" : "{\"role\":\"" + role + "\",\"order\":\"alternate\",\"pairedWith\":\""
        + (role.equals("candidate") ? "baseline/results.json" : "../results.json") + "\",\"warmupRuns\":1}";
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("results.json"), "{\"schema\":\"ddsls.coldstart/v1\",\"handler\":\"com.acme.orders.Handler::handleRequest\","
        + "\"agent\":" + agent + ",\"jar\":\"orders.jar\",\"memoryMb\":1024,\"cpuLimit\":null,\"ab\":" + ab + ",\"runs\":[" + runs
        + "],\"summary\":{\"initMs\":{\"n\":2,\"p50\":1800.0,\"p90\":1800.0,\"p99\":1800.0,\"max\":1800.0}},"
        + "\"uploads\":{\"traces\":0,\"profiles\":0,\"bytes\":0}}");
  }

  private JsonNode diagnose(Path source) throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", source.toString(), "--format", "json", "--quiet");
    assertEquals(0, r.exit(), r.stderr());
    return JSON.readTree(r.stdout());
  }

  private static List<String> notes(JsonNode report) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : report.get("notes")) out.add(n.asText());
    return out;
  }

  private static List<String> ownFrames(JsonNode function) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : function.get("init").get("userFrames")) out.add(f.get("frame").asText());
    return out;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void abRunKeepsCandidateAndBaselineApart() throws Exception {
    Path ab = tmp.resolve("ab");
    new ColdStartFixture("orders").onCpu(500, LOAD, CLINIT).write(ab, 3, 101);
    results(ab, true, "candidate", "ok", "ok", "ok");
    new ColdStartFixture("orders").onCpu(500, PRICES, CLINIT).write(ab.resolve("baseline"), 2, 201);
    results(ab.resolve("baseline"), true, "baseline", "ok", "ok");
    new ColdStartFixture("orders").onCpu(500, PRICES, CLINIT).write(ab.resolve("warmup/candidate"), 1, 301);

    JsonNode candidate = diagnose(ab);
    assertEquals(1, candidate.get("functions").size());
    JsonNode f = candidate.get("functions").get(0);
    assertEquals(3, f.get("coldStarts").asInt(), "the candidate's cold starts only");
    assertEquals(List.of(LOAD), ownFrames(f), "no baseline or warm-up frame");
    assertTrue(notes(candidate).stream().anyMatch(n -> n.startsWith(ab + " is an A/B run: this report is its candidate only")
        && n.contains("--source " + ab.resolve("baseline"))), notes(candidate).toString());

    JsonNode baseline = diagnose(ab.resolve("baseline"));
    JsonNode b = baseline.get("functions").get(0);
    assertEquals(2, b.get("coldStarts").asInt());
    assertEquals(List.of(PRICES), ownFrames(b));
    assertTrue(notes(baseline).contains(ab.resolve("baseline") + " is the baseline side of an A/B run (its candidate is " + ab + ")"),
        notes(baseline).toString());
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void initFailuresAndAgentOffAreNamed() throws Exception {
    Path runs = tmp.resolve("runs");
    new ColdStartFixture("orders").onCpu(500, LOAD, CLINIT).write(runs, 3, 101);
    // run-3's init failed: no invocation span; its profile, under the span id it never got, would count as a fourth init.
    try (var s = Files.list(runs.resolve("run-3"))) {
      for (Path p : s.toList()) if (p.getFileName().toString().startsWith("spans-")) Files.delete(p);
    }
    results(runs, true, null, "ok", "error", "init-error");
    JsonNode r = diagnose(runs);
    JsonNode f = r.get("functions").get(0);
    assertEquals(2, f.get("coldStarts").asInt());
    for (JsonNode id : f.get("init").get("profileIds")) assertFalse(id.asText().startsWith("run-3"), f.get("init").get("profileIds").toString());
    assertTrue(notes(r).contains(runs + ": init failed in 1 of 3 runs, left out (no cold start was measured): run-3 init-error "
        + "(java.lang.ExceptionInInitializerError)"), notes(r).toString());
    assertTrue(notes(r).contains(runs + ": 1 of 3 runs started but an invocation failed (their init counts): run-2 error "
        + "(invocation 2 failed: boom)"), notes(r).toString());

    Path off = tmp.resolve("off");
    results(off, false, null, "ok", "ok");
    CliProcess.Result text = CliProcess.run(tmp, "diagnose", "--source", off.toString(), "--quiet");
    assertEquals(0, text.exit(), text.stderr());
    String flat = text.stdout().replaceAll("\\s+", " ");
    assertTrue(flat.contains("note: " + off + " was measured with --agent off: it has timings (init p50 1800.0 ms over 2 runs, in "
        + "results.json) but no profiles or spans to diagnose; run coldstart with --agent on"), text.stdout());
    for (String line : text.stdout().split("\n")) assertTrue(line.length() <= 100, "over 100 columns: " + line);
  }
}
