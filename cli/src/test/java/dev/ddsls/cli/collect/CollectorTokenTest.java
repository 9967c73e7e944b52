package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector started with {@code --token}: the agent (in a real cold start) sends the token from
 * {@code DDSLS_COLLECTOR_TOKEN} or from the user info of {@code DD_TRACE_AGENT_URL}, and {@code diagnose} from
 * {@code --token}, the environment or the URL; without it diagnose says what is missing in one line. The token is never
 * printed, logged or written by either.
 */
@Tag("e2e")
class CollectorTokenTest {
  private static final String SECRET = "tok-8c1f0e5d2b7a";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("DDSLS_COLLECTOR_TOKEN", null); // not inherited from whoever runs the tests
    m.put("DDSLS_COLLECT_TOKEN", null);
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  private CliProcess.Result coldstart(String out, String... agentEnv) throws Exception {
    Path event = Files.writeString(tmp.resolve("event.json"), "{}");
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--invocations", "1", "--agent", "on",
        "--event", event.toString(), "--out", tmp.resolve(out).toString(), "--format", "json"));
    for (String e : agentEnv) args.addAll(List.of("--env", e));
    // A loaded machine's slow answers would open the agent's breaker (slow, or past the flush budget) and hold the
    // spans past the run's end: this test is about the token, so the agent waits for its intake as long as it takes.
    args.addAll(CliProcess.envArgs(CliProcess.PATIENT_AGENT));
    CliProcess.Result r = CliProcess.run(tmp, env(), 300, args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    String agentLog = Files.readString(tmp.resolve(out).resolve("run-1").resolve("stderr.log"));
    assertFalse(agentLog.contains("HTTP 401"), "the collector refused the agent's token: " + agentLog);
    return r;
  }

  private int spans(String source, Map<String, String> env, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("diagnose", "--source", source, "--format", "json", "--quiet"));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, env, 120, args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.stderr());
    assertFalse(r.stdout().contains(SECRET) || r.stderr().contains(SECRET), r.stdout() + r.stderr());
    return JSON.readTree(r.stdout()).get("inputs").get("spans").asInt();
  }

  @Test
  void theAgentAndDiagnoseSendTheCollectorsToken() throws Exception {
    try (CollectorProcess collector = CollectorProcess.start("--data", tmp.resolve("store").toString(), "--token", SECRET)) {
      String url = "http://127.0.0.1:" + collector.port;

      // The agent: the token from the user info of DD_TRACE_AGENT_URL (taken out of the URL), then from its variable.
      coldstart("by-url", "DD_TRACE_AGENT_URL=" + url.replace("http://", "http://ddsls:" + SECRET + "@"));
      int first = spans(url, env(), "--token", SECRET);
      assertTrue(first > 0, "the agent's spans arrived with the URL's token");
      coldstart("by-variable", "DD_TRACE_AGENT_URL=" + url, "DDSLS_COLLECTOR_TOKEN=" + SECRET);
      int both = spans(url, env("DDSLS_COLLECTOR_TOKEN", SECRET));
      assertTrue(both > first, "the second run's spans arrived with DDSLS_COLLECTOR_TOKEN: " + first + " then " + both);
      assertEquals(both, spans(url.replace("http://", "http://ddsls:" + SECRET + "@"), env()), "the token in diagnose's URL");

      // Nothing the agent or coldstart wrote holds the token in clear, the URL's user info included.
      try (Stream<Path> files = Files.walk(tmp.resolve("by-url"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(SECRET), f.toString());
        }
      }

      // Without the token (or with another): one line that says what to give, exit 3, no token echoed.
      for (Map<String, String> e : List.of(env(), env("DDSLS_COLLECTOR_TOKEN", "wrong"))) {
        CliProcess.Result r = CliProcess.run(tmp, e, 120, "diagnose", "--source", url, "--quiet");
        assertEquals(3, r.exit(), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().contains("wants its token") && r.stderr().contains("--token"), r.stderr());
        assertFalse(r.stderr().contains("wrong"), r.stderr());
      }
    }
  }
}
