package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeLaunchTest {
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Path RUNTIME = Path.of("target", "runtime").toAbsolutePath();
  private static final Path LAYER = Path.of("target", "layer").toAbsolutePath();

  @TempDir Path tmp;
  private RuntimeApiEmulator emu;

  @BeforeEach
  void start() throws Exception { emu = RuntimeApiEmulator.start("hellohandler", "example.HelloHandler", 1000); }

  @AfterEach
  void stop() { emu.close(); }

  private ProcessBuilder build(Path layer, Map<String, String> env) {
    RuntimeLaunch.Spec spec = new RuntimeLaunch.Spec(JAVA, tmp.resolve("fn.jar"), "example.HelloHandler", 512,
        List.of("-Dfoo=bar"), env, RUNTIME, layer, RuntimeLaunch.RIC_MAIN);
    return new RuntimeLaunch(spec).processBuilder(emu, tmp.resolve("task"), tmp.resolve("out/run-1"));
  }

  @Test
  void aJvmAskedToWriteAtItsExitIsNamedSoFromItsArgumentsOrItsToolOptions() {
    assertFalse(writesAtExit(List.of("-Dfoo=bar"), Map.of()));
    assertTrue(writesAtExit(List.of("-XX:ArchiveClassesAtExit=/tmp/app.jsa"), Map.of()));
    assertTrue(writesAtExit(List.of("-XX:StartFlightRecording=filename=x.jfr,dumponexit=true"), Map.of()));
    assertTrue(writesAtExit(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=a.jsa")));
  }

  private boolean writesAtExit(List<String> jvmArgs, Map<String, String> env) {
    return new RuntimeLaunch.Spec(JAVA, tmp.resolve("fn.jar"), "example.HelloHandler", 512, jvmArgs, env, RUNTIME, null,
        RuntimeLaunch.RIC_MAIN).writesAtExit();
  }

  @Test
  void withoutTheAgentJavaStartsTheRuntimeInterfaceClientWithLambdasFlags() {
    ProcessBuilder pb = build(null, Map.of());
    List<String> cmd = pb.command();
    assertEquals(JAVA.toString(), cmd.get(0));
    assertTrue(cmd.containsAll(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xshare:auto", "-XX:MaxHeapSize=435m", "-Djava.net.preferIPv4Stack=true", "-Dfoo=bar")), cmd.toString());
    assertEquals(List.of(RuntimeLaunch.RIC_MAIN, "example.HelloHandler"), cmd.subList(cmd.size() - 2, cmd.size()));
    String cp = cmd.get(cmd.indexOf("-classpath") + 1);
    assertTrue(cp.contains("aws-lambda-java-runtime-interface-client-"), cp);
    assertFalse(cp.contains("fn.jar") || cp.contains("task"), "the runtime client loads the function from the task root: " + cp);
    assertTrue(cmd.containsAll(List.of("--add-opens=java.base/java.io=ALL-UNNAMED",
        "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac")), "as Lambda's java17 command line: " + cmd);
    assertEquals(tmp.resolve("task").toFile(), pb.directory());

    Map<String, String> env = pb.environment();
    assertEquals(emu.address(), env.get("AWS_LAMBDA_RUNTIME_API"));
    assertEquals("example.HelloHandler", env.get("_HANDLER"));
    assertEquals("hellohandler", env.get("AWS_LAMBDA_FUNCTION_NAME"));
    assertEquals("512", env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
    assertEquals("on-demand", env.get("AWS_LAMBDA_INITIALIZATION_TYPE"));
    assertEquals("AWS_Lambda_java17", env.get("AWS_EXECUTION_ENV"));
    assertEquals(":UTC", env.get("TZ"));
    assertEquals(tmp.resolve("task").toAbsolutePath().toString(), env.get("LAMBDA_TASK_ROOT"));
    for (String k : env.keySet()) assertFalse(k.startsWith("DD_") || k.startsWith("DDSLS_") || k.equals("AWS_LAMBDA_EXEC_WRAPPER"), k);
  }

  @Test
  void withTheAgentTheLayersWrapperRunsTheJavaCommandLine() {
    ProcessBuilder pb = build(LAYER, Map.of());
    List<String> cmd = pb.command();
    assertEquals(List.of("/bin/bash", LAYER.resolve("ddsls_wrapper").toString(), JAVA.toString()), cmd.subList(0, 3));
    Map<String, String> env = pb.environment();
    assertEquals(LAYER.resolve("ddsls_wrapper").toString(), env.get("AWS_LAMBDA_EXEC_WRAPPER"));
    assertEquals("true", env.get("DD_PROFILING_ENABLED"));
    assertEquals("http://127.0.0.1:" + emu.port(), env.get("DD_TRACE_AGENT_URL"));
    assertEquals(tmp.resolve("out/run-1").toAbsolutePath() + "/", env.get("DDSLS_OUTPUT_DIR"));
    int proxy = Integer.parseInt(env.get("DDSLS_PROXY_PORT"));
    assertTrue(proxy > 0 && proxy != emu.port());
  }

  @Test
  void envOverridesDefaultsButNotTheEndpoint() {
    ProcessBuilder pb = build(LAYER, Map.of("DD_PROFILING_ENABLED", "false", "DD_TRACE_AGENT_URL", "http://127.0.0.1:1",
        "AWS_LAMBDA_FUNCTION_NAME", "orders", "RULES_ROUNDS", "5"));
    Map<String, String> env = pb.environment();
    assertEquals("false", env.get("DD_PROFILING_ENABLED"));
    assertEquals("http://127.0.0.1:1", env.get("DD_TRACE_AGENT_URL"));
    assertEquals("orders", env.get("AWS_LAMBDA_FUNCTION_NAME"));
    assertEquals("5", env.get("RULES_ROUNDS"));
    assertEquals(emu.address(), env.get("AWS_LAMBDA_RUNTIME_API"));
  }

  @Test
  void snapStartSetsTheInitializationTypeAndKeepsLambdasFlags() {
    RuntimeLaunch.Spec spec = new RuntimeLaunch.Spec(JAVA, tmp.resolve("fn.jar"), "example.HelloHandler", 512, List.of(), Map.of(),
        RUNTIME, null, RuntimeLaunch.RIC_MAIN, true, false);
    ProcessBuilder pb = new RuntimeLaunch(spec).processBuilder(emu, tmp.resolve("task"), tmp.resolve("out/run-1"));
    assertEquals("snap-start", pb.environment().get("AWS_LAMBDA_INITIALIZATION_TYPE"));
    assertTrue(pb.command().containsAll(List.of("-XX:TieredStopAtLevel=1", RuntimeLaunch.CRAC_COMPAT)), pb.command().toString());
    assertTrue(RuntimeLaunch.RESERVED_ENV.contains("AWS_LAMBDA_INITIALIZATION_TYPE"), "--snapstart sets it, not --env");
  }

  @Test
  void theDiagnosticStartPutsThePackageOnTheClassPath() {
    RuntimeLaunch.Spec spec = new RuntimeLaunch.Spec(JAVA, tmp.resolve("fn.jar"), "example.HelloHandler", 512, List.of(), Map.of(),
        RUNTIME, null, RuntimeLaunch.RIC_MAIN, false, true);
    List<String> cmd = new RuntimeLaunch(spec).processBuilder(emu, tmp.resolve("empty"), tmp.resolve("out/run-1")).command();
    String cp = cmd.get(cmd.indexOf("-classpath") + 1);
    assertTrue(cp.endsWith(tmp.resolve("fn.jar").toString()), "the function's jar after the runtime's: " + cp);
  }

  @Test
  void aCustomRuntimeGetsTheTaskRootAndItsLibJarsOnTheClassPath() throws Exception {
    Path task = Files.createDirectories(tmp.resolve("task/lib"));
    Files.write(task.resolve("b.jar"), new byte[0]);
    Files.write(task.resolve("a.jar"), new byte[0]);
    RuntimeLaunch.Spec spec = new RuntimeLaunch.Spec(JAVA, tmp.resolve("fn.jar"), "example.HelloHandler", 512, List.of(), Map.of(),
        RUNTIME, null, "example.MiniRuntime");
    List<String> cmd = new RuntimeLaunch(spec).processBuilder(emu, tmp.resolve("task"), tmp.resolve("out/run-1")).command();
    String cp = cmd.get(cmd.indexOf("-classpath") + 1);
    String expected = String.join(File.pathSeparator, tmp.resolve("task").toString(), task.resolve("a.jar").toString(),
        task.resolve("b.jar").toString());
    assertTrue(cp.endsWith(expected), cp);
  }
}
