package dev.ddsls.cli.agent;

import static dev.ddsls.cli.agent.AgentEndToEndTest.assertOnlyTheLayersAsyncProfiler;
import static dev.ddsls.cli.agent.AgentEndToEndTest.coldstart;
import static dev.ddsls.cli.agent.AgentEndToEndTest.exec;
import static dev.ddsls.cli.agent.AgentEndToEndTest.files;
import static dev.ddsls.cli.agent.AgentEndToEndTest.introspect;
import static dev.ddsls.cli.agent.AgentEndToEndTest.profile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the agent is loaded into a real cold start (the layer's wrapper, the bootstrap loader, the layer's own
 * async-profiler, beside an application CDS archive, switched off) and that {@code go tool pprof} reads what it
 * writes. Nothing here counts samples, so these run beside other classes.
 */
@Tag("e2e")
class AgentLoadingTest {
  @TempDir Path tmp;

  @Test
  void goToolPprofReadsTheAgentsProfile() throws Exception {
    Path run = coldstart(tmp, "example.RulesHandler::handleRequest", "{}", 1);
    Path cpu = files(run, "profile-*-cpu.pb.gz").get(0);
    String raw = exec("go", "tool", "pprof", "-raw", cpu.toString());
    assertTrue(raw.contains("example.Rules.build"), raw.substring(0, Math.min(2000, raw.length())));
    String tags = exec("go", "tool", "pprof", "-tags", cpu.toString());
    for (String key : List.of("span id", "local root span id", "trace endpoint", "phase", "request id", "thread name")) {
      assertTrue(tags.contains(key + ":"), key + " missing in\n" + tags);
    }
  }

  @Test
  void disabledAgentStartsNoThreadAndLoadsNoNativeCode() throws Exception {
    List<String> lines = introspect(tmp, "off", "off", "--jvm-arg", "-javaagent:" + CliProcess.agentJar());
    assertTrue(lines.stream().anyMatch(l -> l.equals("thread main")), lines.toString());
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("thread ddsls-")), lines.toString());
    assertTrue(lines.stream().noneMatch(l -> l.contains("asyncProfiler")), lines.toString());
    assertTrue(files(tmp.resolve("off/run-1"), "profile-*").isEmpty());
    assertTrue(files(tmp.resolve("off/run-1"), "spans-*").isEmpty());

    // The same check sees the agent when it is on: the assertions above can fail.
    lines = introspect(tmp, "on", "on");
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("thread ddsls-")), lines.toString());
    // The layer's own copy for this CPU (DDSLS_ASYNC_PROFILER_LIBRARY from the wrapper), not one extracted to /tmp.
    assertOnlyTheLayersAsyncProfiler(lines);
    // Boot-Class-Path: the bootstrap loader defines the agent's classes (no verification, no URLClassPath).
    assertTrue(lines.contains("agent-loader bootstrap"), lines.toString());
  }

  @Test
  void aPreloadedAsyncProfilerIsTheOneTheAgentStarts() throws Exception {
    assertOnlyTheLayersAsyncProfiler(introspect(tmp, "preload", "on", "--env", "DDSLS_PRELOAD=true"));
    Profile cpu = profile(tmp.resolve("preload/run-1"), "cpu");
    assertTrue(cpu.comment("ddsls.engine").startsWith("async-profiler"), cpu.comments().toString());
  }

  @Test
  void anApplicationCdsArchiveStaysInUseWithTheAgent() throws Exception {
    // The function's own AppCDS archive: the runtime interface client's and the handler's classes, dumped at exit.
    Path archive = tmp.resolve("app.jsa");
    CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", "1", "--agent", "off",
        "--jvm-arg", "-XX:ArchiveClassesAtExit=" + archive, "--out", tmp.resolve("dump").toString());
    assertEquals(0, r.exit(), r.stderr());
    assertTrue(Files.size(archive) > 0, "no archive written");

    Path classLog = tmp.resolve("classes.log");
    Path out = tmp.resolve("appcds");
    r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", "1", "--agent", "on",
        "--jvm-arg", "-XX:SharedArchiveFile=" + archive, "--jvm-arg", "-Xlog:class+load=info:file=" + classLog,
        "--out", out.toString());
    assertEquals(0, r.exit(), r.stderr());
    List<String> loads = Files.readAllLines(classLog);
    // A grown boot class path would make the JVM load these from their jars again.
    for (String cls : List.of("com.amazonaws.services.lambda.runtime.api.client.AWSLambda", "example.HelloHandler")) {
      assertTrue(loads.stream().anyMatch(l -> l.contains(" " + cls + " source: shared objects file")),
          cls + " not from the archive: " + loads.stream().filter(l -> l.contains(cls)).collect(Collectors.toList()));
    }
    assertTrue(loads.stream().anyMatch(l -> l.contains(" dev.ddsls.agent.Agent source: ")), "the agent ran");
    assertFalse(files(out.resolve("run-1"), "profile-*-cpu.pb.gz").isEmpty(), "the agent profiled");
  }
}
