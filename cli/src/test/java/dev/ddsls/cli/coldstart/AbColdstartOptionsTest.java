package dev.ddsls.cli.coldstart;

import static dev.ddsls.cli.coldstart.AbColdstartTest.HANDLER;
import static dev.ddsls.cli.coldstart.AbColdstartTest.ROUNDS;
import static dev.ddsls.cli.coldstart.AbColdstartTest.ab;
import static dev.ddsls.cli.coldstart.AbColdstartTest.ddsls;
import static dev.ddsls.cli.coldstart.AbColdstartTest.gate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls coldstart --baseline-jar} and {@code --baseline-ref}: what they run, write and tell the gate, with
 * too few runs to judge and at a CPU limit. Nothing here is timed, so these run beside other classes.
 */
@Tag("e2e")
class AbColdstartOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void tooFewRunsAreReportedAsInsufficientDataAndAReferenceBaselineIsNotRun() throws Exception {
    Path jar = CliProcess.examplesJar();
    Path out = tmp.resolve("few");
    CliProcess.Result r = ab(jar, jar, out, 3, "--warmup", "0");
    assertEquals(0, r.exit(), r.stderr());
    assertTrue(r.stderr().contains("3 runs per side") && r.stderr().contains("insufficient data"), r.stderr());
    JsonNode cand = JSON.readTree(out.resolve("results.json").toFile());
    assertEquals(0, cand.get("ab").get("warmupRuns").asInt());
    assertFalse(Files.exists(out.resolve("warmup")), "--warmup 0: no warm-up runs");
    assertEquals(1, cand.get("runs").get(0).get("sequence").asInt());

    CliProcess.Result g = gate(out);
    assertEquals(1, g.exit(), g.stdout());
    assertTrue(g.stdout().contains("insufficient data") && g.stdout().contains("at least 9 samples per side"), g.stdout());

    // --baseline-ref: the existing baseline results, not run again; the gate reads them as they are.
    Path ref = out.resolve("baseline").resolve("results.json");
    Path out2 = tmp.resolve("ref");
    CliProcess.Result r2 = ddsls(tmp, "coldstart", "--jar", jar.toString(), "--baseline-ref", ref.toString(), "--handler", HANDLER,
        "--agent", "off", "--runs", "2", "--invocations", "1", "--env", ROUNDS, "--warmup", "0", "--out", out2.toString(),
        "--format", "json");
    assertEquals(0, r2.exit(), r2.stderr());
    JsonNode doc = JSON.readTree(r2.stdout());
    assertEquals("candidate", doc.get("ab").get("role").asText());
    assertEquals("reference", doc.get("ab").get("order").asText());
    assertEquals(ref.toAbsolutePath().toString(), doc.get("ab").get("pairedWith").asText());
    assertEquals(2, doc.get("runs").size());
    assertFalse(Files.exists(out2.resolve("baseline")), "a reference baseline is not run");
    CliProcess.Result g2 = ddsls(tmp, "gate", "--results", out2.resolve("results.json").toString(), "--baseline", ref.toString(),
        "--max-regression", "init.p50:10%");
    assertEquals(1, g2.exit(), g2.stdout());
    assertTrue(g2.stdout().contains("has baseline 3, candidate 2"), g2.stdout());

    CliProcess.Result bad = ddsls(tmp, "coldstart", "--jar", jar.toString(), "--baseline-ref", out.resolve("run-1").resolve("invocations.jsonl").toString(),
        "--handler", HANDLER, "--out", tmp.resolve("bad").toString());
    assertEquals(2, bad.exit(), bad.stderr());
    assertTrue(bad.stderr().contains("--baseline-ref"), bad.stderr());
    CliProcess.Result both = ddsls(tmp, "coldstart", "--jar", jar.toString(), "--baseline-ref", ref.toString(), "--baseline-jar", jar.toString(),
        "--handler", HANDLER, "--out", tmp.resolve("both").toString());
    assertEquals(2, both.exit(), both.stderr());
  }

  @Test
  void cpuLimitForAMemorySizeSaysWhatApplied() throws Exception {
    Path jar = CliProcess.examplesJar();
    Path out = tmp.resolve("cpu");
    CliProcess.Result r = ab(jar, jar, out, 1, "--memory", "512", "--cpu-limit", "--warmup", "0",
        "--jvm-arg=-XX:+PrintFlagsFinal");
    assertEquals(0, r.exit(), r.stderr());
    for (Path results : List.of(out.resolve("results.json"), out.resolve("baseline").resolve("results.json"))) {
      JsonNode cpu = JSON.readTree(results.toFile()).get("cpuLimit");
      assertNotNull(cpu, results.toString());
      assertEquals(0.289, cpu.get("vcpus").asDouble(), 0.001, "512 / 1769 vCPU");
      assertEquals(1, cpu.get("activeProcessorCount").asInt());
      List<String> all = new ArrayList<>();
      cpu.get("applied").forEach(n -> all.add("applied " + n.asText()));
      cpu.get("notApplied").forEach(n -> all.add("not applied " + n.asText()));
      assertTrue(all.contains("applied -XX:ActiveProcessorCount=1"), all.toString());
      assertTrue(all.stream().anyMatch(s -> s.contains("taskset")), "taskset is reported either way: " + all);
      assertTrue(all.stream().anyMatch(s -> s.contains("cgroup")), "the cgroup quota is reported either way: " + all);
      assertTrue(r.stderr().contains("cpu limit 0.289 vCPU"), r.stderr());
    }
    // The JVM itself saw the processor count (PrintFlagsFinal lists flags set on the command line).
    String flags = Files.readString(out.resolve("run-1").resolve("stdout.log"));
    assertTrue(Pattern.compile("ActiveProcessorCount\\s+=\\s+1\\s[^\n]*command line").matcher(flags).find(), "ActiveProcessorCount not in effect");
    // The cgroup of the run is gone afterwards.
    for (JsonNode a : JSON.readTree(out.resolve("results.json").toFile()).get("cpuLimit").get("applied")) {
      String s = a.asText();
      if (s.startsWith("cgroup")) {
        String dir = s.substring(s.lastIndexOf('(') + 1, s.length() - 1);
        assertFalse(Files.exists(Path.of(dir)), dir + " left behind");
      }
    }
  }
}
