package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.cli.CliProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The agent jar in real JVMs under the real AWS runtime interface client: {@code ddsls coldstart --agent on} installs
 * it through the layer's exec wrapper, exactly as Lambda does, and these tests read back what it wrote. How the agent
 * is loaded and what peers read of it, which no other JVM changes, is in {@link AgentLoadingTest}.
 */
@Tag("e2e")
@Isolated("profiles CPU-bound inits in real cold starts: a JVM beside them changes what is sampled")
class AgentEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** One coldstart run of the rules example with the agent; returns the run directory. */
  static Path coldstart(Path tmp, String handler, String eventJson, int invocations, String... env) throws Exception {
    Path event = tmp.resolve("event.json");
    Files.writeString(event, eventJson);
    Path out = tmp.resolve("out");
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler", handler,
        "--runs", "1", "--invocations", Integer.toString(invocations), "--agent", "on", "--event", event.toString(),
        "--out", out.toString(), "--format", "json"));
    for (String kv : env) {
      args.add("--env");
      args.add(kv);
    }
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("ok", run.get("status").asText(), run.toString());
    // The agent's proxy holds the runtime's /next while it flushes (its extension registers for no events): the
    // billed Duration of every invocation still ends, and covers the response.
    for (int i = 0; i < invocations; i++) {
      JsonNode duration = run.get("durationMs").get(i);
      assertTrue(duration.isNumber() && duration.asDouble() >= run.get("invocationsMs").get(i).asDouble() - 0.05, run.toString());
      JsonNode post = run.get("postRuntimeMs").get(i);
      assertTrue(post.isNumber() && post.asDouble() >= 0, run.toString()); // a null would read as 0
    }
    return out.resolve("run-1");
  }

  static List<Path> files(Path dir, String glob) throws IOException {
    List<Path> out = new ArrayList<>();
    try (var s = Files.newDirectoryStream(dir, glob)) {
      for (Path p : s) out.add(p);
    }
    out.sort(null);
    return out;
  }

  static List<JsonNode> spans(Path runDir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : files(runDir, "spans-*.jsonl")) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) if (!line.isBlank()) out.add(JSON.readTree(line));
    }
    return out;
  }

  static List<ProfileSample> samples(Path runDir, String kind) throws IOException {
    List<ProfileSample> out = new ArrayList<>();
    for (Path f : files(runDir, "profile-*-" + kind + ".pb.gz")) out.addAll(PprofReader.read(f).samples());
    return out;
  }

  static Profile profile(Path runDir, String kind) throws IOException {
    List<Path> f = files(runDir, "profile-*-" + kind + ".pb.gz");
    assertFalse(f.isEmpty(), "no " + kind + " profile in " + runDir);
    Profile first = PprofReader.read(f.get(0));
    return new Profile(first.sampleTypes(), first.periodType(), first.period(), first.timeNanos(), first.durationNanos(),
        first.comments(), samples(runDir, kind));
  }

  static List<String> topByTotal(Profile p, String phase, int n) {
    Profile init = p.filter(s -> phase.equals(s.strLabel("phase")));
    List<FrameStat> all = new ArrayList<>(FrameStats.top(init, 1, 10_000));
    all.sort((a, b) -> Long.compare(b.totalValue(), a.totalValue()));
    return all.stream().limit(n).map(FrameStat::frame).collect(Collectors.toList());
  }

  @Test
  void asyncProfilerShowsTheStaticInitialiserAndTiesSamplesToInvocations() throws Exception {
    Path run = coldstart(tmp, "example.RulesHandler::handleRequest", "{\"rounds\": 40000}", 3,
        "DDSLS_PROFILING_ENGINE=async", "DD_PROFILING_IGNORE_PROFILER=true", "DDSLS_DEBUG=true");
    String stderr = Files.readString(run.resolve("stderr.log"));
    assertTrue(stderr.contains("the init thread is at the runtime client's gate"), "the runtime client's init thread waits at its gate, no class-load hook: " + stderr);

    List<JsonNode> spans = spans(run);
    assertEquals(3, spans.stream().filter(s -> s.get("name").asText().equals("aws.lambda")).count(), spans.toString());
    List<JsonNode> lambda = spans.stream().filter(s -> s.get("name").asText().equals("aws.lambda")).collect(Collectors.toList());
    Set<String> spanIds = lambda.stream().map(s -> s.get("span_id").asText()).collect(Collectors.toSet());
    assertEquals(3, spanIds.size(), "every invocation has its own span id");
    JsonNode cold = lambda.stream().filter(s -> s.get("meta").get("cold_start").asText().equals("true")).findFirst().orElseThrow();
    // Every phase took time, and the phases add up to the init duration the span reports.
    double phases = 0;
    for (String m : List.of("ddsls.init.jvm_ms", "ddsls.init.agent_ms", "ddsls.init.runtime_init_ms")) {
      JsonNode v = cold.get("metrics").get(m);
      assertTrue(v != null && v.isNumber() && v.asDouble() > 0, m + " in " + cold);
      phases += v.asDouble();
    }
    assertEquals(cold.get("metrics").get("ddsls.init.duration_ms").asDouble(), phases, 0.005, "jvm + agent + runtime init in " + cold);

    Profile cpu = profile(run, "cpu");
    assertTrue(cpu.comment("ddsls.engine").startsWith("async-profiler"), cpu.comments().toString());
    assertEquals("cpu", cpu.sampleTypes().get(1).type());
    assertEquals(10_000_000L, cpu.period());
    List<String> initTop = topByTotal(cpu, "init", 15);
    assertTrue(initTop.contains("example.Rules.build"), "init top frames: " + initTop);
    assertTrue(initTop.contains("example.RulesHandler.<clinit>"), "init top frames: " + initTop);

    long coldSpan = Long.parseUnsignedLong(cold.get("span_id").asText());
    Map<String, String> requestOfSpan = lambda.stream().collect(Collectors.toMap(s -> s.get("span_id").asText(), s -> s.get("meta").get("request_id").asText()));
    Set<String> invocationSpans = new HashSet<>();
    for (ProfileSample s : cpu.samples()) {
      String phase = s.strLabel("phase");
      assertNotNull(phase);
      if (phase.equals("idle")) continue;
      Long span = s.numLabels().get("span id");
      assertNotNull(span, "a " + phase + " sample without span id: " + s);
      assertEquals(span, s.numLabels().get("local root span id"));
      assertEquals(requestOfSpan.get(Long.toUnsignedString(span)), s.strLabel("request id"));
      if (phase.equals("init")) assertEquals(coldSpan, span, "init samples carry the cold invocation's ids");
      else invocationSpans.add(Long.toUnsignedString(span));
    }
    assertEquals(spanIds, invocationSpans, "each invocation's work carries its own span id");
    List<String> invTop = topByTotal(cpu, "invocation", 10);
    assertTrue(invTop.contains("example.RulesHandler.handleRequest"), invTop.toString());

    Profile wall = profile(run, "wall");
    assertEquals("wall", wall.sampleTypes().get(1).type());
    // By default wall-clock samples cover init and the cold invocation, each with the thread's state.
    for (ProfileSample s : wall.samples()) {
      boolean coldStart = "init".equals(s.strLabel("phase"))
          || "invocation".equals(s.strLabel("phase")) && Long.valueOf(coldSpan).equals(s.numLabels().get("span id"));
      assertTrue(coldStart, "a wall sample outside init and the cold invocation: " + s);
      assertTrue(List.of("running", "sleeping").contains(s.strLabel("thread state")), "thread state of " + s);
    }

    for (ProfileSample s : concat(cpu.samples(), wall.samples())) {
      String thread = s.strLabel("thread name");
      assertFalse(thread.startsWith("ddsls-"), "DD_PROFILING_IGNORE_PROFILER: agent thread " + thread);
      for (String frame : s.stack()) {
        assertFalse(frame.startsWith("dev.ddsls.agent.") || frame.startsWith("one.profiler."), "agent frame " + frame);
      }
    }
  }

  /**
   * JFR instead of async-profiler: the same init on top, and the warm invocation's samples (about 60 ms of CPU) in the
   * exit flush's profile. The Flight Recorder's own shutdown hook deleted its repository beside the agent's, and the
   * recording the agent had yet to dump was lost with them.
   */
  @Test
  void jfrEngineProducesAValidProfileOfTheSameInit() throws Exception {
    Path run = coldstart(tmp, "example.RulesHandler::handleRequest", "{\"rounds\": 20000}", 2, "DDSLS_PROFILING_ENGINE=jfr");
    Profile cpu = profile(run, "cpu");
    assertTrue(cpu.comment("ddsls.engine").startsWith("JDK Flight Recorder"), cpu.comments().toString());
    List<String> initTop = topByTotal(cpu, "init", 15);
    assertTrue(initTop.contains("example.Rules.build"), "init top frames: " + initTop);
    assertTrue(files(run, "profile-*-wall.pb.gz").isEmpty(), "JFR takes no wall-clock samples");
    List<Path> profiles = files(run, "profile-*-cpu.pb.gz");
    assertEquals(2, profiles.size(), "the cold start's flush and the exit flush: " + profiles);
    Profile exit = PprofReader.read(profiles.get(1));
    assertTrue(exit.samples().stream().anyMatch(s -> s.stack().contains("example.Rules.build")),
        "the warm invocation's work in the exit flush's profile: " + exit.samples().size() + " samples");
  }

  /** One coldstart run of {@code example.IntrospectHandler} into {@code tmp/name}: its report (threads, libraries, loader). */
  static List<String> introspect(Path tmp, String name, String agent, String... extra) throws Exception {
    Path report = tmp.resolve(name + ".txt");
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.IntrospectHandler::handleRequest", "--runs", "1", "--invocations", "1", "--agent", agent,
        "--env", "INTROSPECT_OUT=" + report, "--out", tmp.resolve(name).toString()));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stderr());
    return Files.readAllLines(report);
  }

  static void assertOnlyTheLayersAsyncProfiler(List<String> introspected) {
    String layerLibrary = CliProcess.agentJar().getParent().resolve("native").toString();
    List<String> mapped = introspected.stream().filter(l -> l.contains("asyncProfiler")).distinct().collect(Collectors.toList());
    assertEquals(1, mapped.size(), introspected.toString());
    assertTrue(mapped.get(0).startsWith("library " + layerLibrary) && mapped.get(0).endsWith("/libasyncProfiler.so"), mapped.toString());
  }

  @Test
  void aCustomRuntimeIsSampledFromTheHandlersStaticInitialiser() throws Exception {
    // Not the runtime interface client: the init thread waits in the class-load hook, at the handler's class.
    Path out = tmp.resolve("custom");
    CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.RulesHandler::handleRequest", "--runtime-main", "example.MiniRuntime", "--runs", "1",
        "--invocations", "2", "--agent", "on", "--env", "DDSLS_DEBUG=true", "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    JsonNode result = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("ok", result.get("status").asText(), result.toString());
    Path run = out.resolve("run-1");
    String stderr = Files.readString(run.resolve("stderr.log"));
    assertFalse(stderr.contains("runtime client's gate"), stderr);

    List<String> initTop = topByTotal(profile(run, "cpu"), "init", 15);
    assertTrue(initTop.contains("example.Rules.build"), "init top frames: " + initTop);
    assertTrue(initTop.contains("example.RulesHandler.<clinit>"), "init top frames: " + initTop);
    assertEquals(2, spans(run).stream().filter(s -> s.get("name").asText().equals("aws.lambda")).count());
  }

  static <T> List<T> concat(List<T> a, List<T> b) { return Stream.concat(a.stream(), b.stream()).collect(Collectors.toList()); }

  /** Runs an independent tool; fails with how to install it when it is missing. */
  static String exec(String... cmd) throws Exception {
    CliProcess.awaitPeer(cmd[0]);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail(cmd[0] + " is not installed: run scripts/install-test-tools as root (its log: .tools/install.log), "
          + "or apt-get install -y golang-go (" + e.getMessage() + ")");
      return null;
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
    return text;
  }
}
