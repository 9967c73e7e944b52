package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.CliProcess;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The layer's exec wrapper, run by bash as Lambda runs it, with {@code env} standing in for the runtime's java. */
@Tag("e2e")
class ExecWrapperTest {
  private static final Path WRAPPER = CliProcess.agentJar().getParent().getParent().resolve("ddsls_wrapper");
  private static final Path BOOT_JAR = CliProcess.agentJar().resolveSibling("ddsls-boot.jar");
  /** The agent's methods compiled after a twentieth of the usual call counts (the wrapper says why). */
  private static final String JIT = " -XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,dev.ddsls.*::*,0.05";

  @Test
  void profilingOnAddsTheAgentTheLibraryAndTheProxy() throws Exception {
    Map<String, String> env = run(Map.of("DD_PROFILING_ENABLED", "true", "AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001",
        "JAVA_TOOL_OPTIONS", "-Xshare:auto"));
    // -agentlib:instrument, not -javaagent: the same agent without the implied --add-modules that costs the CDS module graph;
    // ddsls-boot.jar: the agent jar on the bootstrap class path.
    assertEquals("-agentlib:instrument=" + BOOT_JAR + JIT + " -Xshare:auto", env.get("JAVA_TOOL_OPTIONS"));
    Path library = libasyncProfiler();
    assertEquals(library.toString(), env.get("DDSLS_ASYNC_PROFILER_LIBRARY"));
    assertTrue(Files.isRegularFile(library));
    assertEquals("127.0.0.1:9001", env.get("DDSLS_RUNTIME_API_UPSTREAM"));
    assertEquals("127.0.0.1:" + env.get("DDSLS_PROXY_PORT"), env.get("AWS_LAMBDA_RUNTIME_API"));
    assertTrue(env.get("DDSLS_WRAPPER_START_NS").matches("\\d{19}"), env.toString());
  }

  @Test
  void theJvmTakesTheCompileCommandForTheAgentsPackagesOnly() throws Exception {
    // Without `quiet`, the JVM prints each command it parsed: the threshold scaling must name the agent's classes.
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String option : JIT.strip().split(" ")) {
      if (!option.endsWith("=quiet")) cmd.add(option);
    }
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("CompileCommand: CompileThresholdScaling dev/ddsls/*.* double CompileThresholdScaling = 0.050000"), out);
  }

  @Test
  void anApplicationCdsArchiveKeepsTheAgentOffTheBootClassPath() throws Exception {
    Map<String, String> fromOptions = run(Map.of("DD_PROFILING_ENABLED", "true", "JAVA_TOOL_OPTIONS", "-XX:SharedArchiveFile=/var/task/app.jsa"));
    assertEquals("-agentlib:instrument=" + CliProcess.agentJar() + JIT + " -XX:SharedArchiveFile=/var/task/app.jsa", fromOptions.get("JAVA_TOOL_OPTIONS"));
    Map<String, String> fromJdkOptions = run(Map.of("DD_PROFILING_ENABLED", "true", "JDK_JAVA_OPTIONS", "-XX:+AutoCreateSharedArchive"));
    assertEquals("-agentlib:instrument=" + CliProcess.agentJar() + JIT, fromJdkOptions.get("JAVA_TOOL_OPTIONS"));
    Map<String, String> fromCommand = run(Map.of("DD_PROFILING_ENABLED", "true"), "-Xshare:auto", "-XX:SharedArchiveFile=/opt/runtime.jsa", "-cp", "x");
    assertEquals("-agentlib:instrument=" + CliProcess.agentJar() + JIT, fromCommand.get("JAVA_TOOL_OPTIONS"));
  }

  @Test
  void preloadingIsOptInAndKeepsWhatWasThere() throws Exception {
    assertNull(run(Map.of("DD_PROFILING_ENABLED", "true")).get("LD_PRELOAD"));
    Map<String, String> env = run(Map.of("DD_PROFILING_ENABLED", "true", "DDSLS_PRELOAD", "true"));
    assertEquals(env.get("DDSLS_ASYNC_PROFILER_LIBRARY"), env.get("LD_PRELOAD"));
    String other = libasyncProfiler().toString(); // any library that loads; this one is at hand
    env = run(Map.of("DD_PROFILING_ENABLED", "true", "DDSLS_PRELOAD", "true", "LD_PRELOAD", other));
    assertEquals(env.get("DDSLS_ASYNC_PROFILER_LIBRARY") + ":" + other, env.get("LD_PRELOAD"));
  }

  @Test
  void aTakenProxyPortIsSkipped() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = run(Map.of("DD_PROFILING_ENABLED", "true", "AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001",
          "DDSLS_PROXY_PORT", Integer.toString(taken.getLocalPort())));
      assertEquals(Integer.toString(taken.getLocalPort() + 1), env.get("DDSLS_PROXY_PORT"));
    }
  }

  @Test
  void aLibraryChosenByTheUserIsKept() throws Exception {
    Map<String, String> env = run(Map.of("DD_PROFILING_ENABLED", "true", "DDSLS_ASYNC_PROFILER_LIBRARY", "/opt/mine.so"));
    assertEquals("/opt/mine.so", env.get("DDSLS_ASYNC_PROFILER_LIBRARY"));
  }

  @Test
  void profilingOffChangesNothing() throws Exception {
    Map<String, String> env = run(Map.of("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001", "JAVA_TOOL_OPTIONS", "-Xshare:auto"));
    assertEquals("-Xshare:auto", env.get("JAVA_TOOL_OPTIONS"));
    assertEquals("127.0.0.1:9001", env.get("AWS_LAMBDA_RUNTIME_API"));
    assertNull(env.get("DDSLS_ASYNC_PROFILER_LIBRARY"));
    assertNull(env.get("DDSLS_RUNTIME_API_UPSTREAM"));
  }

  /** A wrapper of another layer, as Datadog's: adds its tracer to JAVA_TOOL_OPTIONS, then runs the runtime. */
  private static Path otherWrapper() throws Exception {
    Path w = Files.createTempFile("datadog_wrapper", "");
    Files.writeString(w, "#!/bin/bash\nexport JAVA_TOOL_OPTIONS=\"-javaagent:/opt/java/lib/dd-java-agent.jar $JAVA_TOOL_OPTIONS\"\n"
        + "export OTHER_WRAPPER_RAN=yes\nexec \"$@\"\n");
    w.toFile().setExecutable(true);
    w.toFile().deleteOnExit();
    return w;
  }

  @Test
  void theNextWrapperRunsAfterThisOneWithProfilingOnAndOff() throws Exception {
    Path next = otherWrapper();
    Map<String, String> on = run(Map.of("DD_PROFILING_ENABLED", "true", "AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001",
        "DDSLS_NEXT_WRAPPER", next.toString()));
    assertEquals("yes", on.get("OTHER_WRAPPER_RAN"));
    // Both agents: Datadog's tracer, and ours with the Runtime API pointed at its proxy before the other wrapper ran.
    assertEquals("-javaagent:/opt/java/lib/dd-java-agent.jar -agentlib:instrument=" + BOOT_JAR + JIT, on.get("JAVA_TOOL_OPTIONS"));
    assertEquals("127.0.0.1:" + on.get("DDSLS_PROXY_PORT"), on.get("AWS_LAMBDA_RUNTIME_API"));

    Map<String, String> off = run(Map.of("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001", "DDSLS_NEXT_WRAPPER", next.toString()));
    assertEquals("yes", off.get("OTHER_WRAPPER_RAN"), "profiling off still runs the other layer's wrapper");
    assertEquals("-javaagent:/opt/java/lib/dd-java-agent.jar ", off.get("JAVA_TOOL_OPTIONS"));

    Map<String, String> missing = run(Map.of("DD_PROFILING_ENABLED", "true", "DDSLS_NEXT_WRAPPER", "/opt/no_such_wrapper"));
    assertNull(missing.get("OTHER_WRAPPER_RAN"));
    assertTrue(missing.get("JAVA_TOOL_OPTIONS").startsWith("-agentlib:instrument="), "the runtime starts anyway: " + missing);
  }

  private static Path libasyncProfiler() {
    String arch = System.getProperty("os.arch").equals("aarch64") ? "linux-arm64" : "linux-x64";
    return CliProcess.agentJar().getParent().resolve("native/" + arch + "/libasyncProfiler.so");
  }

  /**
   * Runs {@code bash ddsls_wrapper env} with exactly {@code given} (plus PATH) and returns what env printed; {@code javaArgs}
   * stand for the runtime's java arguments (sh -c env ARGS: the wrapper sees them, env ignores them).
   */
  private static Map<String, String> run(Map<String, String> given, String... javaArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/bin/bash", WRAPPER.toString(), "/bin/sh", "-c", "/usr/bin/env"));
    cmd.addAll(List.of(javaArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().putAll(given);
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out.toString(StandardCharsets.UTF_8));
    Map<String, String> env = new HashMap<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return env;
  }
}
