package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.net.http.HttpTimeoutException;
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
 * The hybrid set-up of Datadog's serverless tracing: a service on a host, traced by the real dd-java-agent, calls a
 * function run by {@code ddsls coldstart} (the real runtime client and the ddsls agent) with its context in the event;
 * both send to one {@code ddsls collect}. {@code diagnose} then shows the host's span as the parent of the invocation
 * and the host as a service of its own.
 */
@Tag("e2e")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HybridTraceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String HOST = "hybrid-host";

  private static boolean stored(CollectorProcess c, String query) throws Exception {
    try {
      var r = c.get("/ddsls/v1/spans?all=true&" + query);
      return r.statusCode() == 200 && JSON.readTree(r.body()).get("spans").size() > 0;
    } catch (HttpTimeoutException e) {
      return false; // a loaded collector: asked again
    }
  }

  @Test
  void theHostSpanIsTheParentOfTheInvocation(@TempDir Path tmp) throws Exception {
    try (CollectorProcess collector = CollectorProcess.start("--data", tmp.resolve("store").toString())) {
      String url = "http://127.0.0.1:" + collector.port;
      Path event = tmp.resolve("event.json");
      List<String> cmd = DdJavaAgentInteropTest.tracedJvm();
      cmd.addAll(List.of("-Ddd.service=" + HOST, "-Ddd.trace.agent.url=" + url,
          "-Ddd.trace.methods=" + HybridCaller.class.getName() + "[call]", "-Ddd.trace.128.bit.traceid.generation.enabled=false",
          "-cp", DdJavaAgentInteropTest.classPathOf(HybridCaller.class), HybridCaller.class.getName(), event.toString(),
          Integer.toString(collector.port), HOST));
      Process host = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("host.log").toFile()).start();
      assertTrue(host.waitFor(3, TimeUnit.MINUTES), "the host application finished");
      assertEquals(0, host.exitValue(), Files.readString(tmp.resolve("host.log")));

      List<String> args = new ArrayList<>(List.of("coldstart", "--jar", CliProcess.examplesJar().toString(),
          "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", "1", "--agent", "on",
          "--event", event.toString(), "--out", tmp.resolve("out").toString(), "--format", "json",
          "--env", "DD_TRACE_AGENT_URL=" + url));
      args.addAll(CliProcess.envArgs(CliProcess.PATIENT_AGENT));
      CliProcess.Result run = CliProcess.run(tmp, args.toArray(String[]::new));
      assertEquals(0, run.exit(), run.stdout() + run.stderr());

      // Both sides' spans are in the store before diagnose reads it (the host ran on until its tracer's had been
      // stored, the agent sent the invocation's at its end): polled through the read API, which is cheap.
      // Up to a minute: beside three other classes on two cores the collector took more than the 10 s this waited.
      boolean both = false;
      for (int i = 0; i < 600 && !both; i++) {
        both = stored(collector, "service=" + HOST) && stored(collector, "cold_start=true");
        if (!both) Thread.sleep(100);
      }
      assertTrue(both, "the host's span and the invocation's are stored: host " + stored(collector, "service=" + HOST)
          + ", invocation " + stored(collector, "cold_start=true"));
      CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", url, "--format", "json");
      assertEquals(0, r.exit(), r.stdout() + r.stderr());
      JsonNode report = JSON.readTree(r.stdout());
      JsonNode connectivity = report.get("connectivity");
      assertEquals(1, connectivity.get("invocationSpans").asInt(), report.toString());
      assertEquals(1, connectivity.get("connected").asInt(), "the invocation's parent is in the data: " + connectivity);
      JsonNode edge = connectivity.get("edges").get(0);
      assertEquals(HOST, edge.get("from").asText(), "the host service is the function's upstream: " + connectivity);
      JsonNode service = report.get("services").get(0);
      assertEquals(HOST, service.get("service").asText(), report.get("services").toString());
      assertEquals(List.of(edge.get("to").asText()), List.of(service.get("callsInto").get(0).get("function").asText()));
      assertTrue(service.get("endpoints").get(0).get("resource").asText().contains("HybridCaller.call"), service.toString());
    }
  }
}
