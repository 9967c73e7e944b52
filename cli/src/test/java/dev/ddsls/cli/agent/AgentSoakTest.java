package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ddsls.cli.CliProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.value.Value;

/**
 * A short agent soak (the long one is bench/agent-soak.py, docs/reliability.md "The agent soak"): one warm sandbox,
 * thousands of invocations, spans sent after every one of them to an intake that answers 500 to some requests and hangs
 * up on others without an answer. No response may change, and no span may be lost without the agent counting it:
 * every invocation's aws.lambda span is stored by the intake or counted by the agent as dropped or unsent, and the
 * agent's account (sent + dropped + unsent) covers every span it made, one per invocation.
 */
@Tag("e2e")
class AgentSoakTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int INVOCATIONS = 3000;
  static final Pattern SUMMARY = Pattern.compile("uploads at shutdown: spans sent=(\\d+) dropped=(\\d+) unsent=(\\d+)");

  @TempDir Path tmp;

  @Test
  @Timeout(300)
  void faultsChangeNoResponseAndLoseNoSpanUncounted() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger faults = new AtomicInteger();
    Set<String> stored = ConcurrentHashMap.newKeySet();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", x -> {
      byte[] body = x.getRequestBody().readAllBytes();
      int n = requests.incrementAndGet();
      // In turn: 500, stored and 200, hung up on without an answer, stored and 200. (The agent's breaker then probes
      // after a second: a run of a few seconds meets a handful of faults; bench/agent-soak.py meets many.)
      if (n % 4 == 1) {
        faults.incrementAndGet();
        x.sendResponseHeaders(500, -1);
      } else if (n % 4 == 3) {
        faults.incrementAndGet(); // closed below before any answer: the JDK server then closes the connection
      } else {
        if (x.getRequestURI().getPath().equals("/v0.4/traces")) {
          for (Map<String, Value> span : SnapStartAgentTest.decodeSpans(body)) {
            if (span.get("name").asStringValue().asString().equals("aws.lambda")) stored.add(SnapStartAgentTest.meta(span).get("request_id"));
          }
        }
        x.sendResponseHeaders(200, -1);
      }
      x.close();
    });
    server.start();
    try {
      Path event = tmp.resolve("event.json");
      Files.writeString(event, "{\"name\":\"Ada \u00e9\u2713\"}");
      Path out = tmp.resolve("out");
      CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(),
          "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", Integer.toString(INVOCATIONS),
          "--agent", "on", "--event", event.toString(), "--out", out.toString(), "--format", "json",
          "--env", "DD_TRACE_AGENT_URL=http://127.0.0.1:" + server.getAddress().getPort(), "--env", "DD_SERVERLESS_FLUSH_STRATEGY=end");
      assertEquals(0, r.exit(), r.stderr());
      List<String> log = Files.readAllLines(out.resolve("run-1").resolve("invocations.jsonl"));
      assertEquals(INVOCATIONS, log.size());
      int answered = 0;
      for (String line : log) {
        JsonNode inv = JSON.readTree(line);
        assertEquals("ok", inv.get("status").asText(), line);
        assertEquals("\"hello Ada \u00e9\u2713\"", inv.get("response").asText(), "the response, unchanged: " + line);
        answered++;
      }
      assertTrue(faults.get() > 0, "faults were injected: " + requests.get() + " requests");
      String stderr = Files.readString(out.resolve("run-1").resolve("stderr.log"));
      Matcher m = SUMMARY.matcher(stderr);
      assertTrue(m.find(), "the agent says at shutdown what became of its spans:\n" + stderr);
      long sent = Long.parseLong(m.group(1)), dropped = Long.parseLong(m.group(2)), unsent = Long.parseLong(m.group(3));
      System.out.println(answered + " invocations, " + requests.get() + " intake requests (" + faults.get() + " faults), stored " + stored.size()
          + "; agent: sent " + sent + ", dropped " + dropped + ", unsent " + unsent);
      assertEquals(answered, sent + dropped + unsent, "every span the agent made (one per invocation) is accounted for once");
      assertTrue(stored.size() >= sent, "a span counted as sent was stored: " + stored.size() + " stored, " + sent + " sent");
      assertTrue(answered - stored.size() <= dropped + unsent,
          "spans lost without the agent counting them: " + (answered - stored.size() - dropped - unsent) + " (stored " + stored.size()
              + ", dropped " + dropped + ", unsent " + unsent + ")");
    } finally {
      server.stop(0);
    }
  }
}
