package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ddsls.cli.CliProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken intake never changes what the function answers and never holds an invocation longer than the flush
 * budget: the agent uploads to an endpoint that refuses connections, answers after 10 s, or answers 500 or 413.
 */
@Tag("e2e")
@Isolated("asserts that no invocation is held longer than the flush budget, in wall time")
class AgentUploadFailureTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @ParameterizedTest
  @Timeout(200)
  @ValueSource(strings = {"closed", "slow", "500", "413"})
  void brokenIntakeChangesNoResponse(String mode) throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = null;
    int port;
    if (mode.equals("closed")) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
    } else {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext("/", x -> {
        requests.incrementAndGet();
        x.getRequestBody().readAllBytes();
        if (mode.equals("slow")) {
          try {
            Thread.sleep(10_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        int status = mode.equals("slow") ? 200 : Integer.parseInt(mode);
        x.sendResponseHeaders(status, -1);
        x.close();
      });
      server.start();
      port = server.getAddress().getPort();
    }
    try {
      Path event = tmp.resolve("event.json");
      Files.writeString(event, "{\"name\":\"Ada\"}");
      Path out = tmp.resolve("out");
      CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(),
          "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", "4", "--agent", "on",
          "--event", event.toString(), "--out", out.toString(), "--format", "json",
          "--env", "DD_TRACE_AGENT_URL=http://127.0.0.1:" + port, "--env", "DDSLS_FLUSH_BUDGET_MS=300");
      assertEquals(0, r.exit(), r.stderr());
      JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
      assertEquals("ok", run.get("status").asText());
      assertEquals(4, run.get("invocationsMs").size());
      // What Lambda would bill after each response: the agent's hold of the runtime's /next is bounded by the budget
      // (300 ms; the slow intake takes 10 s), with slack for a loaded machine.
      for (JsonNode post : run.get("postRuntimeMs")) assertTrue(post.isNumber() && post.asDouble() < 2000, run.toString());
      List<String> log = Files.readAllLines(out.resolve("run-1").resolve("invocations.jsonl"));
      assertEquals(4, log.size());
      for (String line : log) assertEquals("\"hello Ada\"", JSON.readTree(line).get("response").asText(), line);
      if (!mode.equals("closed")) assertTrue(requests.get() > 0, "the agent tried the intake");
      String stderr = Files.readString(out.resolve("run-1").resolve("stderr.log")) + Files.readString(out.resolve("run-1").resolve("stdout.log"));
      // A broken intake opens the breaker at most once (later invocations no longer wait for it; whether a flush meets
      // it before the shutdown's last one depends on the machine's speed); a 413 refuses one body, never the intake.
      long breaker = stderr.lines().filter(l -> l.startsWith("ddsls:") && l.contains("the intake failed")).count();
      assertTrue(breaker <= (mode.equals("413") ? 0 : 1), stderr);
      if (mode.equals("slow")) assertTrue(requests.get() <= 3, "the silent intake was probed, not asked per invocation: " + requests.get());
      assertTrue(stderr.lines().filter(l -> l.startsWith("ddsls:") && l.contains("upload to") && l.contains("failed")).count() <= 2,
          "upload failures are logged once per kind:\n" + stderr);
    } finally {
      if (server != null) server.stop(0);
    }
  }
}
