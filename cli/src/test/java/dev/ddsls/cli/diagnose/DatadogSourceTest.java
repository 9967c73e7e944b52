package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls diagnose --source datadog} as a process against a local server playing Datadog's spans search with
 * responses in the documented shape (src/test/resources/datadog): paging, rate limits, rejected keys.
 */
@Tag("e2e")
class DatadogSourceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String API_KEY = "0123456789abcdef0123456789abcdef";
  static final String APP_KEY = "fedcba9876543210fedcba9876543210fedcba98";

  @TempDir Path tmp;
  MockWebServer server;

  @BeforeEach void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach void stop() { server.close(); }

  static String fixture(String name) throws IOException {
    try (InputStream in = DatadogSourceTest.class.getResourceAsStream("/datadog/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static MockResponse json(int code, String body, String... headers) {
    MockResponse.Builder b = new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body);
    for (int i = 0; i < headers.length; i += 2) b.addHeader(headers[i], headers[i + 1]);
    return b.build();
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DD_API_KEY", API_KEY);
    env.put("DD_APP_KEY", APP_KEY);
    env.put("DDSLS_DATADOG_API_URL", server.url("/").toString());
    return env;
  }

  CliProcess.Result diagnose(Map<String, String> env, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("diagnose", "--source", "datadog", "--format", "json"));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, env, 120, args.toArray(new String[0]));
    assertFalse((r.stdout() + r.stderr()).contains(API_KEY) || (r.stdout() + r.stderr()).contains(APP_KEY), "a key was printed");
    return r;
  }

  @Test
  void pagesThroughTheSearchAndAnalyses() throws Exception {
    for (int i = 1; i <= 3; i++) server.enqueue(json(200, fixture("search-page-" + i + ".json"), "X-RateLimit-Limit", "300",
        "X-RateLimit-Period", "3600", "X-RateLimit-Remaining", Integer.toString(300 - i), "X-RateLimit-Reset", "1800"));
    CliProcess.Result r = diagnose(env(), "--service", "orders-api-prod", "--function", "orders-api-prod", "--env", "prod",
        "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T11:00:00Z");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());

    List<JsonNode> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
      assertEquals("POST", req.getMethod());
      assertEquals("/api/v2/spans/events/search", req.getUrl().encodedPath());
      assertEquals(API_KEY, req.getHeaders().get("DD-API-KEY"));
      assertEquals(APP_KEY, req.getHeaders().get("DD-APPLICATION-KEY"));
      bodies.add(JSON.readTree(req.getBody().utf8()));
    }
    assertEquals(3, server.getRequestCount());
    JsonNode a = bodies.get(0).get("data").get("attributes");
    assertEquals("search_request", bodies.get(0).get("data").get("type").asText());
    assertEquals("service:orders-api-prod @functionname:orders-api-prod env:prod", a.get("filter").get("query").asText());
    assertEquals("2026-11-24T10:00:00Z", a.get("filter").get("from").asText());
    assertEquals("2026-11-24T11:00:00Z", a.get("filter").get("to").asText());
    assertEquals(1000, a.get("page").get("limit").asInt());
    assertNull(a.get("page").get("cursor"));
    // Each next request carries the previous page's meta.page.after.
    for (int i = 1; i < 3; i++) {
      String after = JSON.readTree(fixture("search-page-" + i + ".json")).get("meta").get("page").get("after").asText();
      assertEquals(after, bodies.get(i).get("data").get("attributes").get("page").get("cursor").asText());
    }

    JsonNode report = JSON.readTree(r.stdout());
    assertEquals(20, report.get("inputs").get("spans").asInt(), report.toString());
    JsonNode fn = report.get("functions").get(0);
    assertEquals("orders-api-prod", fn.get("function").asText());
    assertEquals(10, fn.get("invocations").asInt());
    assertEquals(2, fn.get("coldStarts").asInt());
    assertEquals(2, fn.get("coldStartsByMemoryMb").get("1024").asInt());
    assertEquals(2180.0, fn.get("initMs").get("p50").asDouble(), 0.01);
    // Every invocation hangs off its API Gateway inferred span, which is a root.
    JsonNode c = report.get("connectivity");
    assertEquals(10, c.get("invocationSpans").asInt(), c.toString());
    assertEquals(10, c.get("roots").asInt(), c.toString());
    assertEquals(0, c.get("orphans").asInt(), c.toString());
    assertTrue(report.get("notes").toString().contains("pass --datadog-profiles"), report.get("notes").toString());
  }

  @Test
  void profilesComeFromADirectory() throws Exception {
    server.enqueue(json(200, fixture("search-page-3.json")));
    Path profiles = Files.createDirectories(tmp.resolve("profiles"));
    CliProcess.Result r = diagnose(env(), "--profiles", profiles.toString());
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    JsonNode report = JSON.readTree(r.stdout());
    assertTrue(report.get("notes").toString().contains("profiles: from " + profiles), report.get("notes").toString());
    JsonNode body = JSON.readTree(server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()).get("data").get("attributes");
    assertEquals("*", body.get("filter").get("query").asText());
    assertEquals("now-1h", body.get("filter").get("from").asText());
  }

  @Test
  void waitsOutARateLimitThenContinues() throws Exception {
    server.enqueue(json(429, fixture("rate-limited.json"), "X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "0",
        "X-RateLimit-Reset", "1", "Retry-After", "1"));
    server.enqueue(json(200, fixture("search-page-3.json")));
    CliProcess.Result r = diagnose(env());
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    assertEquals(2, server.getRequestCount());
    assertEquals(4, JSON.readTree(r.stdout()).get("inputs").get("spans").asInt());
  }

  @Test
  void givesUpWhenTheRateLimitStaysOrResetsLate() throws Exception {
    for (int i = 0; i < 4; i++) server.enqueue(json(429, fixture("rate-limited.json"), "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1"));
    CliProcess.Result r = diagnose(env());
    assertEquals(3, r.exit(), r.stdout() + r.stderr());
    assertEquals(4, server.getRequestCount(), "one request and three retries");
    assertOneLine(r, "rate limit");

    server.enqueue(json(429, fixture("rate-limited.json"), "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2400"));
    CliProcess.Result late = diagnose(env());
    assertEquals(3, late.exit(), late.stdout() + late.stderr());
    assertEquals(5, server.getRequestCount(), "no retry when the reset is far away");
    assertOneLine(late, "resets in 2400 s");
  }

  @Test
  void rejectedKeys() throws Exception {
    server.enqueue(json(401, fixture("unauthorized.json")));
    CliProcess.Result r = diagnose(env());
    assertEquals(3, r.exit(), r.stdout() + r.stderr());
    assertOneLine(r, "Datadog rejected the API/application key");
    server.enqueue(json(403, "{\"errors\":[\"Forbidden\"]}"));
    CliProcess.Result forbidden = diagnose(env());
    assertEquals(3, forbidden.exit());
    assertOneLine(forbidden, "Datadog rejected the API/application key");
  }

  @Test
  void missingKeysNameTheVariable() throws Exception {
    Map<String, String> env = env();
    env.remove("DD_APP_KEY");
    CliProcess.Result r = diagnose(env);
    assertEquals(2, r.exit(), r.stdout() + r.stderr());
    assertOneLine(r, "DD_APP_KEY");
    env.remove("DD_API_KEY");
    assertOneLine(diagnose(env), "DD_API_KEY");
    assertEquals(0, server.getRequestCount());
  }

  static void assertOneLine(CliProcess.Result r, String expect) {
    String err = r.stderr().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("ddsls: ") && err.contains(expect), err);
  }
}
