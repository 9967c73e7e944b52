package dev.ddsls.cli.coldstart;

import dev.ddsls.cli.CliProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code ddsls coldstart} as a process, as a user does, on the real example handlers and the real RIC. */
@Tag("e2e")
class ColdstartCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Built by the cli module (process-classes) from the examples module. */
  private static final Path EXAMPLES = Path.of("target", "examples", "ddsls-examples.jar").toAbsolutePath();

  @TempDir Path tmp;

  record Result(int exit, String stdout, String stderr) {}

  private Result ddsls(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("coldstart"));
    cmd.addAll(List.of(args));
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 180, cmd.toArray(new String[0]));
    return new Result(r.exit(), r.stdout(), r.stderr());
  }

  private static List<String> invocationLog(Path runDir) throws IOException {
    return Files.readAllLines(runDir.resolve("invocations.jsonl"), StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(240)
  void rulesHandlerTwoColdStartsOfThreeInvocations() throws Exception {
    Path out = tmp.resolve("rules");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.RulesHandler", "--agent", "off",
        "--runs", "2", "--invocations", "3", "--env", "RULES_ROUNDS=20000", "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stderr());

    JsonNode doc = JSON.readTree(r.stdout());
    assertEquals(doc, JSON.readTree(out.resolve("results.json").toFile()), "stdout is results.json");
    assertEquals("ddsls.coldstart/v1", doc.get("schema").asText());
    assertEquals("example.RulesHandler", doc.get("handler").asText());
    assertFalse(doc.get("agent").asBoolean());
    JsonNode runs = doc.get("runs");
    assertEquals(2, runs.size());
    for (int i = 0; i < 2; i++) {
      JsonNode run = runs.get(i);
      assertEquals(i + 1, run.get("run").asInt());
      assertEquals("ok", run.get("status").asText());
      assertTrue(run.get("error").isNull());
      assertTrue(run.get("initMs").isNumber() && run.get("initMs").asDouble() > 0, run.toString());
      assertTrue(run.get("phasesMs").isNull(), "no phases without the agent");
      assertEquals(3, run.get("invocationsMs").size());
      for (JsonNode ms : run.get("invocationsMs")) assertTrue(ms.isNumber() && ms.asDouble() > 0, run.toString());
      assertEquals(0, run.get("files").size());
      Path runDir = out.resolve("run-" + (i + 1));
      assertTrue(Files.isRegularFile(runDir.resolve("stdout.log")));
      assertTrue(Files.isRegularFile(runDir.resolve("stderr.log")));
      List<String> log = invocationLog(runDir);
      assertEquals(3, log.size());
      JsonNode response = JSON.readTree(JSON.readTree(log.get(0)).get("response").asText());
      assertTrue(response.get("rules").asInt() > 0, "the handler's static init built the rules: " + response);
      assertEquals(JSON.readTree(log.get(0)).get("requestId").asText(), response.get("requestId").asText(),
          "the function saw the request id the emulator handed out");
      checkDurations(run, log);
    }
    JsonNode summary = doc.get("summary");
    checkPercentiles(summary.get("initMs"), 2);
    checkPercentiles(summary.get("firstInvocationMs"), 2);
    checkPercentiles(summary.get("warmInvocationMs"), 4);
    assertEquals(2, summary.get("firstDurationMs").get("n").asInt(), summary.toString());
    assertEquals(4, summary.get("warmDurationMs").get("n").asInt(), summary.toString());
    assertEquals(4, summary.get("warmPostRuntimeMs").get("n").asInt(), summary.toString());
    double maxInit = Math.max(runs.get(0).get("initMs").asDouble(), runs.get(1).get("initMs").asDouble());
    assertEquals(maxInit, summary.get("initMs").get("max").asDouble(), 1e-9);
    JsonNode uploads = doc.get("uploads");
    assertEquals(0, uploads.get("traces").asInt());
    assertEquals(0, uploads.get("profiles").asInt());
  }

  /**
   * Every answered invocation, the last one included, has a billed Duration that covers its event-to-response time and
   * a post-runtime part that does not go below zero, the same in results.json and invocations.jsonl; the difference of
   * the two is the event-to-response time (to the rounding of {@code invocationsMs}, 0.1 ms).
   */
  private static void checkDurations(JsonNode run, List<String> log) throws IOException {
    JsonNode toResponse = run.get("invocationsMs");
    JsonNode duration = run.get("durationMs");
    JsonNode postRuntime = run.get("postRuntimeMs");
    assertEquals(toResponse.size(), duration.size(), run.toString());
    assertEquals(toResponse.size(), postRuntime.size(), run.toString());
    for (int i = 0; i < toResponse.size(); i++) {
      assertTrue(duration.get(i).isNumber() && postRuntime.get(i).isNumber(), "invocation " + (i + 1) + " measured: " + run);
      double d = duration.get(i).asDouble();
      double post = postRuntime.get(i).asDouble();
      double ms = toResponse.get(i).asDouble();
      assertTrue(post >= 0, "post-runtime " + post + " of invocation " + (i + 1));
      assertTrue(d >= ms - 0.05, "Duration " + d + " covers event to response " + ms);
      assertEquals(ms, d - post, 0.052, "Duration minus post-runtime is event to response, invocation " + (i + 1));
      JsonNode line = JSON.readTree(log.get(i));
      assertEquals(d, line.get("durationMs").asDouble(), 0.0, line.toString());
      assertEquals(post, line.get("postRuntimeMs").asDouble(), 0.0, line.toString());
    }
  }

  @Test
  @Timeout(120)
  void aRuntimeThatAsksLateIsBilledForItAndGatedOnIt() throws Exception {
    // A runtime that waits 300 ms after each answer before asking again: Lambda bills those 300 ms, the last
    // invocation's included, though the caller has its response already.
    Path out = tmp.resolve("late");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.HelloHandler::handleRequest", "--runtime-main",
        "example.MiniRuntime", "--agent", "off", "--runs", "1", "--invocations", "3", "--env", "MINI_RUNTIME_NEXT_DELAY_MS=300",
        "--out", out.toString());
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains("warm post-runtime"), "the table shows the post-runtime part: " + r.stdout());
    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    checkDurations(run, invocationLog(out.resolve("run-1")));
    for (int i = 0; i < 3; i++) {
      double post = run.get("postRuntimeMs").get(i).asDouble();
      assertTrue(post >= 300, "invocation " + (i + 1) + " is billed for the runtime's 300 ms: " + run);
      // The wait is after the response: Duration is event to response plus it, and event to response holds none of it.
      double toResponse = run.get("durationMs").get(i).asDouble() - post;
      assertEquals(run.get("invocationsMs").get(i).asDouble(), toResponse, 0.2, "the wait is after the response: " + run);
    }

    String results = out.resolve("results.json").toString();
    CliProcess.Result pass = CliProcess.run(tmp, Map.of(), 60, "gate", "--results", results,
        "--threshold", "warmPostRuntime.min>=300ms", "--threshold", "warmDuration.count==2");
    assertEquals(0, pass.exit(), pass.stdout() + pass.stderr());
    CliProcess.Result fail = CliProcess.run(tmp, Map.of(), 60, "gate", "--results", results,
        "--threshold", "warmDuration.p50<300ms");
    assertEquals(1, fail.exit(), fail.stdout() + fail.stderr());
    assertTrue(fail.stdout().contains("warmDuration"), fail.stdout());
  }

  private static void checkPercentiles(JsonNode p, int n) {
    assertEquals(n, p.get("n").asInt(), p.toString());
    double p50 = p.get("p50").asDouble();
    double p90 = p.get("p90").asDouble();
    double p99 = p.get("p99").asDouble();
    double max = p.get("max").asDouble();
    assertTrue(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, p.toString());
  }

  @Test
  void brokenInitIsAnInitErrorWithTheReason() throws Exception {
    Path out = tmp.resolve("broken");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.BrokenInitHandler", "--agent", "off",
        "--runs", "1", "--out", out.toString());
    assertEquals(1, r.exit(), r.stderr());
    assertTrue(r.stdout().contains("init-error"), r.stdout());
    assertTrue(r.stdout().contains("missing configuration TABLE_NAME"), r.stdout());
    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("init-error", run.get("status").asText());
    String error = run.get("error").asText();
    assertTrue(error.contains("Error loading class example.BrokenInitHandler"), error);
    assertTrue(error.contains("missing configuration TABLE_NAME"), error);
    assertTrue(run.get("initMs").isNull());
    assertEquals(0, run.get("invocationsMs").size());
  }

  @Test
  void anInitErrorReachesTheRuntimeApiThroughTheAgentsProxy() throws Exception {
    // With the agent on, the init error has to find the proxy up (the init thread waits for it at the runtime
    // client's gate, before the handler's class loads) and go through it unchanged.
    Path out = tmp.resolve("broken-agent");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.BrokenInitHandler", "--agent", "on",
        "--runs", "1", "--out", out.toString());
    assertEquals(1, r.exit(), r.stderr());
    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("init-error", run.get("status").asText(), run.toString());
    assertTrue(run.get("error").asText().contains("missing configuration TABLE_NAME"), run.toString());
  }

  @Test
  @Timeout(120)
  void failingHandlerIsAnErrorWithTypeAndMessage() throws Exception {
    Path out = tmp.resolve("failing");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.FailingHandler", "--agent", "off",
        "--runs", "1", "--invocations", "2", "--out", out.toString(), "--format", "json");
    assertEquals(1, r.exit(), r.stderr());
    JsonNode run = JSON.readTree(r.stdout()).get("runs").get(0);
    assertEquals("error", run.get("status").asText());
    assertEquals("invocation 1: java.lang.IllegalArgumentException: order id is missing", run.get("error").asText());
    assertTrue(run.get("initMs").asDouble() > 0, "init finished");
    assertEquals(2, run.get("invocationsMs").size(), "the runtime keeps serving after an invocation error");
    checkDurations(run, invocationLog(out.resolve("run-1")));
    for (String line : invocationLog(out.resolve("run-1"))) assertEquals("error", JSON.readTree(line).get("status").asText());
  }

  @Test
  void eventFilesAreDeliveredInTurn() throws Exception {
    Path ada = tmp.resolve("ada.json");
    Path bob = tmp.resolve("bob.json");
    Files.writeString(ada, "{\"name\":\"Ada\"}");
    Files.writeString(bob, "{\"name\":\"Bob\"}");
    Path out = tmp.resolve("hello");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.HelloHandler::handleRequest", "--agent", "off",
        "--runs", "1", "--invocations", "3", "--event", ada.toString(), "--event", bob.toString(), "--out", out.toString(),
        "--jvm-arg=-Xlog:library=info");
    assertEquals(0, r.exit(), r.stderr());
    List<String> responses = new ArrayList<>();
    for (String line : invocationLog(out.resolve("run-1"))) responses.add(JSON.readTree(line).get("response").asText());
    assertEquals(List.of("\"hello Ada\"", "\"hello Bob\"", "\"hello Ada\""), responses);
    assertTrue(r.stdout().contains("example.HelloHandler::handleRequest"), r.stdout());

    // The runtime client loaded the JNI library the build extracted, not a copy at the /tmp path every JVM shares.
    List<String> loaded = Files.readAllLines(out.resolve("run-1").resolve("stdout.log")).stream()
        .filter(l -> l.contains("Loaded library") && l.contains("libaws-lambda-jni")).toList();
    assertEquals(1, loaded.size(), "one load of the runtime client's JNI library: " + loaded);
    assertTrue(loaded.get(0).contains(Path.of("target", "runtime", "jni").toAbsolutePath().toString()), loaded.get(0));
    assertFalse(loaded.get(0).contains(ColdstartRun.SHARED_JNI), loaded.get(0));
  }

  @Test
  void agentOnRunsThroughTheLayersWrapper() throws Exception {
    // Profiling switched off: the wrapper hands over to java unchanged, so this run does not depend on the agent.
    Path out = tmp.resolve("wrapped");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.HelloHandler", "--agent", "on",
        "--env", "DD_PROFILING_ENABLED=false", "--runs", "1", "--invocations", "2", "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stderr());
    JsonNode doc = JSON.readTree(r.stdout());
    assertTrue(doc.get("agent").asBoolean());
    JsonNode run = doc.get("runs").get(0);
    assertEquals("ok", run.get("status").asText());
    assertTrue(run.get("phasesMs").isNull());
    assertEquals(0, run.get("files").size());
    assertEquals(0, doc.get("uploads").get("traces").asInt());
  }

  @Test
  void initLongerThanTheTimeoutIsATimeout() throws Exception {
    Path out = tmp.resolve("slow");
    Result r = ddsls("--jar", EXAMPLES.toString(), "--handler", "example.WaitingInitHandler", "--agent", "off",
        "--runs", "1", "--timeout", "1", "--env", "INIT_WAIT_MS=20000", "--out", out.toString(), "--format", "json");
    assertEquals(1, r.exit(), r.stderr());
    JsonNode run = JSON.readTree(r.stdout()).get("runs").get(0);
    assertEquals("timeout", run.get("status").asText());
    assertEquals("init did not finish within 1 s", run.get("error").asText());
  }

  @Test
  void usageErrorsExitTwoWithOneLineNamingTheInput() throws Exception {
    Path missing = tmp.resolve("missing.jar");
    Path badEventDir = Files.createDirectory(tmp.resolve("event-dir"));
    String jar = EXAMPLES.toString();
    String[][] cases = {
        {"--jar", missing.toString(), "--handler", "example.HelloHandler"},
        {"--jar", jar, "--handler", "example.HelloHandler::"},
        {"--jar", jar, "--handler", "not a class"},
        {"--jar", jar, "--handler", "example.NoSuchHandler"},
        {"--jar", jar, "--handler", "example.HelloHandler", "--env", "NOEQUALS"},
        {"--jar", jar, "--handler", "example.HelloHandler", "--env", "1BAD=x"},
        {"--jar", jar, "--handler", "example.HelloHandler", "--event", tmp.resolve("nope.json").toString()},
        {"--jar", jar, "--handler", "example.HelloHandler", "--event", badEventDir.toString()},
        {"--jar", jar, "--handler", "example.HelloHandler", "--runs", "0"},
        {"--jar", jar, "--handler", "example.HelloHandler", "--runtime-main", "example.NoSuchRuntime"},
    };
    String[] names = {"missing.jar", "example.HelloHandler::", "not a class", "example.NoSuchHandler", "NOEQUALS", "1BAD=x",
        "nope.json", "event-dir", "--runs", "example.NoSuchRuntime"};
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of(cases[i]));
      args.addAll(List.of("--agent", "off", "--out", tmp.resolve("usage-" + i).toString()));
      Result r = ddsls(args.toArray(new String[0]));
      assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.stderr());
      List<String> lines = r.stderr().lines().toList();
      assertEquals(1, lines.size(), "one line: " + r.stderr());
      assertTrue(lines.get(0).startsWith("ddsls: ") && lines.get(0).contains(names[i]), lines.get(0));
      assertFalse(r.stderr().contains("\tat "), "no stack trace");
      assertEquals("", r.stdout());
      assertFalse(Files.exists(tmp.resolve("usage-" + i).resolve("run-1")), "nothing ran");
    }
  }
}
