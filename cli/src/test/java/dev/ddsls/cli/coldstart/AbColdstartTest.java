package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code ddsls coldstart --baseline-jar}: candidate and baseline jars of the real example handler, run alternately in
 * fresh JVMs under the real runtime interface client, then judged by {@code ddsls gate} as a CI job does. The two A/B
 * jobs (a slower candidate, an identical one) run side by side, each held to a core of its own with everything it
 * starts, as a CI job on a core would. What needs no quiet machine is in {@link AbColdstartOptionsTest}.
 */
@Tag("e2e")
@Isolated("judges A/B init times for significance: a JVM beside them shifts both distributions")
class AbColdstartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String HANDLER = "example.RulesHandler";
  /** Small baseline init work (~70 ms of CPU), so a run stays short. */
  static final String ROUNDS = "RULES_ROUNDS=20000";
  /** ~3.5 ms of CPU per 1,000 rounds: 86,000 rounds are about 300 ms. */
  private static final String EXTRA_INIT = "  private static final Rules EXTRA = Rules.build(86_000); // the regression: ~300 ms more init CPU\n";

  /** Runs a side: the fewest a regression is judged on (Regression.samplesNeeded), so each is judged, none spare. */
  private static final int RUNS = 9;

  @TempDir static Path tmp;
  /** The A/B job of each test: both started before either test, side by side. */
  private static Future<CliProcess.Result> slower;
  private static Future<CliProcess.Result> identical;
  private static ExecutorService jobs;

  static CliProcess.Result ddsls(Path dir, String... args) throws Exception { return CliProcess.run(dir, Map.of(), 600, args); }

  @BeforeAll
  static void startBothJobs() throws Exception {
    Path base = copy(CliProcess.examplesJar(), tmp.resolve("baseline.jar"));
    Path slowerJar = slowerCandidate(tmp.resolve("candidate.jar"));
    Path sameJar = copy(CliProcess.examplesJar(), tmp.resolve("identical.jar"));
    jobs = Executors.newFixedThreadPool(2);
    slower = jobs.submit(() -> abOnACore(slowerJar, base, tmp.resolve("slower").resolve("ab"), RUNS));
    identical = jobs.submit(() -> abOnACore(sameJar, base, tmp.resolve("identical").resolve("ab"), RUNS));
  }

  @AfterAll
  static void stopJobs() { if (jobs != null) jobs.shutdownNow(); }

  /** {@link #ab} with ddsls and the functions it starts held to a core no other job of this class holds. */
  private static CliProcess.Result abOnACore(Path candidate, Path baseline, Path out, int runs) throws Exception {
    Files.createDirectories(out.getParent());
    try (Cores.Lease core = Cores.lease()) {
      if (core.cpu() == null) return ab(candidate, baseline, out, runs);
      return CliProcess.runOn(core.cpu(), out.getParent(), abArgs(candidate, baseline, out, runs).toArray(new String[0]));
    }
  }

  /** {@code ddsls gate} on an A/B output directory: candidate against its baseline, init p50 within 10 %. */
  static CliProcess.Result gate(Path dir) throws Exception {
    return ddsls(dir.getParent(), "gate", "--results", dir.resolve("results.json").toString(),
        "--baseline", dir.resolve("baseline").resolve("results.json").toString(), "--max-regression", "init.p50:10%");
  }

  /** {@code ddsls coldstart --baseline-jar} of the rules handler, the agent off, one invocation a run. */
  static CliProcess.Result ab(Path candidate, Path baseline, Path out, int runs, String... extra) throws Exception {
    return ddsls(out.getParent(), abArgs(candidate, baseline, out, runs, extra).toArray(new String[0]));
  }

  private static List<String> abArgs(Path candidate, Path baseline, Path out, int runs, String... extra) {
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", candidate.toString(), "--baseline-jar", baseline.toString(),
        "--handler", HANDLER, "--agent", "off", "--runs", Integer.toString(runs), "--invocations", "1", "--env", ROUNDS,
        "--out", out.toString()));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void candidateWithThreeHundredMillisecondsMoreInitCpuFailsTheGate() throws Exception {
    Path baseline = tmp.resolve("baseline.jar");
    Path candidate = tmp.resolve("candidate.jar");
    Path out = tmp.resolve("slower").resolve("ab");

    CliProcess.Result r = slower.get();
    assertEquals(0, r.exit(), r.stderr());
    JsonNode cand = JSON.readTree(out.resolve("results.json").toFile());
    JsonNode base = JSON.readTree(out.resolve("baseline").resolve("results.json").toFile());
    assertPaired(cand, base, RUNS);
    assertEquals(candidate.toAbsolutePath().toString(), cand.get("jar").asText());
    assertEquals(baseline.toAbsolutePath().toString(), base.get("jar").asText());
    assertTrue(Files.isDirectory(out.resolve("warmup").resolve("candidate").resolve("run-1")), "warm-up runs kept apart");
    assertTrue(Files.isDirectory(out.resolve("warmup").resolve("baseline").resolve("run-1")));
    assertTrue(r.stdout().contains("gate: ddsls gate --results"), r.stdout());

    CliProcess.Result g = gate(out);
    assertEquals(1, g.exit(), g.stdout() + g.stderr());
    assertTrue(g.stdout().contains("slower than tolerated"), g.stdout());
    assertFalse(g.stdout().contains("insufficient data"), g.stdout());
  }

  @Test
  void identicalCandidatePassesTheGate() throws Exception {
    Path out = tmp.resolve("identical").resolve("ab");

    CliProcess.Result r = identical.get();
    assertEquals(0, r.exit(), r.stderr());
    assertPaired(JSON.readTree(out.resolve("results.json").toFile()),
        JSON.readTree(out.resolve("baseline").resolve("results.json").toFile()), RUNS);

    CliProcess.Result g = gate(out);
    assertEquals(0, g.exit(), g.stdout() + g.stderr());
    assertTrue(g.stdout().contains("gate passed") || g.stdout().contains("pass"), g.stdout());
  }

  /** Each side has its runs in order; candidate and baseline alternate, A B A B, after the warm-up pair. */
  private static void assertPaired(JsonNode cand, JsonNode base, int runs) {
    assertEquals("ddsls.coldstart/v1", cand.get("schema").asText());
    assertEquals("ddsls.coldstart/v1", base.get("schema").asText());
    assertEquals("candidate", cand.get("ab").get("role").asText());
    assertEquals("baseline", base.get("ab").get("role").asText());
    assertEquals("alternate", cand.get("ab").get("order").asText());
    assertEquals("baseline/results.json", cand.get("ab").get("pairedWith").asText());
    assertEquals("../results.json", base.get("ab").get("pairedWith").asText());
    assertEquals(1, cand.get("ab").get("warmupRuns").asInt());
    assertEquals(runs, cand.get("runs").size());
    assertEquals(runs, base.get("runs").size());
    for (int i = 0; i < runs; i++) {
      JsonNode c = cand.get("runs").get(i), b = base.get("runs").get(i);
      assertEquals("ok", c.get("status").asText(), c.toString());
      assertEquals("ok", b.get("status").asText(), b.toString());
      // Sequence 1 and 2 were the warm-ups.
      assertEquals(3 + 2 * i, c.get("sequence").asInt());
      assertEquals(4 + 2 * i, b.get("sequence").asInt());
    }
  }

  private static Path copy(Path from, Path to) throws Exception {
    Files.copy(from, to);
    return to;
  }

  /**
   * The examples jar with one real code change: RulesHandler's own source, compiled with one more static field that
   * builds 86,000 more rounds of rules in the static initialiser - what a commit adding init work does.
   */
  private static Path slowerCandidate(Path jar) throws Exception {
    Path src = Path.of("..", "examples", "src", "main", "java", "example", "RulesHandler.java");
    String code = Files.readString(src);
    int at = code.indexOf("  private static final Rules RULES");
    assertTrue(at > 0, "RulesHandler's source has its RULES field");
    Path srcDir = Files.createDirectories(tmp.resolve("src").resolve("example"));
    Path patched = srcDir.resolve("RulesHandler.java");
    Files.writeString(patched, code.substring(0, at) + EXTRA_INIT + code.substring(at));
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    String cp = CliProcess.examplesJar() + File.pathSeparator
        + runtimeJars(Path.of("target", "runtime"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = javac.run(null, null, err, "--release", "17", "-cp", cp, "-d", classes.toString(), patched.toString());
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));

    try (JarFile in = new JarFile(CliProcess.examplesJar().toFile());
         JarOutputStream outJar = new JarOutputStream(Files.newOutputStream(jar))) {
      Enumeration<JarEntry> entries = in.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        outJar.putNextEntry(new JarEntry(e.getName()));
        Path replacement = classes.resolve(e.getName());
        if (!e.isDirectory() && Files.isRegularFile(replacement)) {
          Files.copy(replacement, outJar);
        } else {
          try (InputStream is = in.getInputStream(e)) { is.transferTo(outJar); }
        }
        outJar.closeEntry();
      }
    }
    return jar;
  }

  /** The runtime interface client's jars (they hold aws-lambda-java-core, which the handler compiles against). */
  private static String runtimeJars(Path dir) throws Exception {
    List<String> jars = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.toString().endsWith(".jar")).forEach(p -> jars.add(p.toAbsolutePath().toString()));
    }
    return String.join(File.pathSeparator, jars);
  }
}
