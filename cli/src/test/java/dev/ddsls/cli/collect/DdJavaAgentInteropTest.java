package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Datadog Java tracer ({@code com.datadoghq:dd-java-agent}, a test dependency) against {@code ddsls collect}
 * as a process: {@link TracedApp} runs under it with profiling on, once with the tracer's defaults (its profiler
 * ddprof, zstd uploads) and once per other upload compression it offers (gzip, lz4). Its spans are stored, its {@code main.jfr} uploads
 * are read by {@code diagnose --source http://...} and {@code profile top} (the app's frames appear), and its spans
 * are found from their samples through {@code /ddsls/v1/profiles?span_id=}.
 */
@Tag("e2e")
@Order(2) // long: started early, so that short classes, not it, end the part that runs beside others
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DdJavaAgentInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BURN = TracedApp.class.getName() + ".burn";
  /** Long enough for one periodic upload besides the one at exit. */
  private static final long RUN_MILLIS = 8_000;

  @Test void tracerSpansAndProfilesInEveryCompression(@TempDir Path dir) throws Exception {
    try (CollectorProcess collector = CollectorProcess.start("--data", dir.resolve("store").toString())) {
      // The services, and the compression each one's uploads must arrive in: null for the tracer's default.
      Map<String, String> runs = new LinkedHashMap<>();
      runs.put("interop-default", null);
      runs.put("interop-gzip", "gzip");
      runs.put("interop-lz4", "lz4");
      // zstd is the default's: a run that names it sends what the default run does. All at once: the app burns a
      // quarter of its time, so the tracers' starts are most of their CPU.
      List<Process> ps = new ArrayList<>();
      for (Map.Entry<String, String> run : runs.entrySet()) ps.add(app(collector, run.getKey(), run.getValue(), dir));
      for (Process p : ps) {
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the traced application finished");
        assertEquals(0, p.exitValue());
      }
      for (Map.Entry<String, String> run : runs.entrySet()) check(collector, run.getKey(), run.getValue() == null ? "zstd" : run.getValue(), dir);
    }
  }

  private void check(CollectorProcess collector, String service, String compression, Path dir) throws Exception {
    String log = Files.readString(dir.resolve(service + ".log"));
    // Nothing the tracer sent to its "Agent" went unanswered: no 404, no warning about the Agent.
    for (String line : log.split("\n")) {
      boolean aboutTheAgent = line.contains("127.0.0.1:" + collector.port) || line.contains("NOT_FOUND") || line.contains(" 404");
      assertFalse(line.contains("] WARN ") && aboutTheAgent, service + ": " + line);
    }
    JsonNode spans = get(collector, "/ddsls/v1/spans?all=true&service=" + service).get("spans");
    assertTrue(spans.size() > 10, service + ": spans stored, " + spans.size() + "\n" + log);

    JsonNode profiles = get(collector, "/ddsls/v1/profiles?service=" + service).get("profiles");
    assertTrue(profiles.size() >= 1, service + ": profiles stored\n" + log);
    // profile top on each served attachment, as uploaded (compressed JFR), until one shows the app's frame: the upload
    // at the tracer's shutdown may hold only its own exit (a slow machine gives the app few samples before it).
    StringBuilder tops = new StringBuilder();
    boolean burnSeen = false;
    for (int i = 0; i < profiles.size() && !burnSeen; i++) {
      JsonNode attachment = profiles.get(i).get("attachments").get(0);
      assertEquals("main.jfr", attachment.get("name").asText());
      assertEquals("jfr", attachment.get("format").asText());
      assertEquals(compression, attachment.get("compression").asText(), service);
      Path file = dir.resolve(service + "-" + i + "-main.jfr." + compression);
      Files.write(file, collector.getBytes(attachment.get("url").asText()).body());
      CollectorProcess.Result top = CollectorProcess.run("profile", "top", "--limit", "50", file.toString());
      assertEquals(0, top.exit, top.output);
      burnSeen = top.output.contains(BURN);
      tops.append(top.output);
    }
    assertTrue(burnSeen, service + ": the app's frame in profile top\n" + tops);

    // diagnose through the collector: every profile is read, and the app's frame is among the top frames
    CollectorProcess.Result diagnose = CollectorProcess.run("diagnose", "--source", "http://127.0.0.1:" + collector.port,
        "--service", service, "--format", "json");
    assertEquals(0, diagnose.exit, diagnose.output);
    JsonNode report = JSON.readTree(diagnose.output.substring(diagnose.output.indexOf('{')));
    assertTrue(report.get("inputs").get("profiles").asInt() >= profiles.size(), service + ": " + report.get("inputs"));
    // A running service's recording is no cold start: its samples are its requests', drawn in the report's flame graph.
    assertFalse(report.toString().contains("\"coldStarts\":" + (profiles.size() + 1)), service + ": requests counted as cold starts");
    if (compression.equals("zstd")) { // the report is the same whatever the compression: its HTML once
      CollectorProcess.Result html = CollectorProcess.run("diagnose", "--source", "http://127.0.0.1:" + collector.port,
          "--service", service, "--format", "html");
      assertEquals(0, html.exit, html.output);
      assertTrue(html.output.contains(BURN), service + ": the app's frame in diagnose's flame graph of its requests");
    }

    // Spans found from their samples: the samples of handle() carry its span id.
    int found = 0;
    for (JsonNode s : spans) {
      JsonNode hit = get(collector, "/ddsls/v1/profiles?service=" + service + "&span_id=" + s.get("span_id").asText()).get("profiles");
      if (hit.size() > 0) found++;
    }
    assertTrue(found > 0, service + ": spans found through span_id=, " + found + " of " + spans.size());
  }

  private static JsonNode get(CollectorProcess c, String pathAndQuery) throws Exception {
    var r = c.get(pathAndQuery);
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** TracedApp under dd-java-agent, sending to the collector; settings by the tracer's documented system properties. */
  private static Process app(CollectorProcess collector, String service, String compression, Path dir) throws Exception {
    List<String> cmd = tracedJvm();
    cmd.addAll(List.of(
        "-Ddd.service=" + service,
        "-Ddd.trace.agent.url=http://127.0.0.1:" + collector.port,
        "-Ddd.trace.methods=" + TracedApp.class.getName() + "[handle]",
        "-Ddd.profiling.enabled=true",
        "-Ddd.profiling.start-delay=0",
        "-Ddd.profiling.upload.period=4"));
    if (compression != null) cmd.add("-Ddd.profiling.upload.compression=" + compression);
    cmd.addAll(List.of("-cp", classPathOf(TracedApp.class), TracedApp.class.getName(), Long.toString(RUN_MILLIS)));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(service + ".log").toFile()).start();
  }

  static String classPathOf(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  /**
   * The start of a command line for a JVM under dd-java-agent: the test JVM's java, C1 and the serial collector as the
   * suite's other JVMs (the tracer's start is most of such a JVM's CPU, and C2 compiling its instrumentation cost more).
   */
  static List<String> tracedJvm() throws Exception {
    return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-javaagent:" + agentJar()));
  }

  /**
   * The tracer's jar, a test dependency: found through a resource of it, not by scanning {@code java.class.path}
   * (which a manifest-only class path would hide). No class of it is loaded here.
   */
  static String agentJar() throws Exception {
    URL url = DdJavaAgentInteropTest.class.getClassLoader().getResource("datadog/trace/bootstrap/AgentBootstrap.class");
    if (url == null) throw new IllegalStateException("dd-java-agent is not on the test class path (cli/pom.xml, test scope)");
    return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI()).toString();
  }
}
