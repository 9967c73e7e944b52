package dev.ddsls.cli.diagnose;

import static dev.ddsls.cli.diagnose.DatadogSourceTest.API_KEY;
import static dev.ddsls.cli.diagnose.DatadogSourceTest.APP_KEY;
import static dev.ddsls.cli.diagnose.DatadogSourceTest.JSON;
import static dev.ddsls.cli.diagnose.DatadogSourceTest.assertOneLine;
import static dev.ddsls.cli.diagnose.DatadogSourceTest.fixture;
import static dev.ddsls.cli.diagnose.DatadogSourceTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddsls.cli.CliProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls diagnose --source datadog --datadog-profiles} as a process against a local server answering Datadog's
 * spans search, profile list and profile download in the shapes Datadog's own clients read (docs/diagnose.md
 * "Profiles from Datadog"). The downloads are zips of real profiles: the ddsls agent's cold start (async-profiler,
 * pprof) and dd-trace-java 1.65.1's JFR.
 */
@Tag("e2e")
class DatadogProfilesTest {
  static final String EVENT_1 = "AQAAAZ1ev2T0cE4lAAAAAGQxZjQ1", EVENT_2 = "AQAAAZ1ev1x4dQ3bAAAAAGQxZjQ2";
  static final String PROFILE_2 = "AAABmS7vXyQxZjQ2";

  @TempDir Path tmp;
  MockWebServer server;

  @BeforeEach void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach void stop() { server.close(); }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = DatadogProfilesTest.class.getResourceAsStream("/datadog/profiles/" + name)) {
      return in.readAllBytes();
    }
  }

  /** A download as Datadog serves it: a zip of the profile's files, with its metrics.json. */
  static byte[] zip(String... nameThenResource) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (int i = 0; i < nameThenResource.length; i += 2) {
        z.putNextEntry(new ZipEntry(nameThenResource[i]));
        z.write(resource(nameThenResource[i + 1]));
        z.closeEntry();
      }
      z.putNextEntry(new ZipEntry("metrics.json"));
      z.write("[[\"core_cpu_cores\",0.41]]".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return out.toByteArray();
  }

  static MockResponse bytes(int code, byte[] body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/zip").body(new Buffer().write(body)).build();
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DD_API_KEY", API_KEY);
    env.put("DD_APP_KEY", APP_KEY);
    env.put("DDSLS_DATADOG_API_URL", server.url("/").toString());
    return env;
  }

  CliProcess.Result diagnose(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("diagnose", "--source", "datadog", "--format", "json"));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, env(), 120, args.toArray(new String[0]));
    String all = r.stdout() + r.stderr();
    assertFalse(all.contains(API_KEY) || all.contains(APP_KEY), "a key was printed");
    return r;
  }

  RecordedRequest take() throws InterruptedException { return server.takeRequest(5, TimeUnit.SECONDS); }

  @Test
  void listsDownloadsAndAttributesByRequestId() throws Exception {
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, fixture("profiles/list.json")));
    server.enqueue(bytes(200, zip("wall.pprof", "ddsls-agent-coldstart.pb.gz")));
    // The second download: not found by its event id, found by its profile id (the older client's form).
    server.enqueue(json(404, "{\"errors\":[\"Not Found\"]}"));
    server.enqueue(bytes(200, zip("main.jfr", "dd-trace-java-1.65.1-ddprof.jfr")));
    CliProcess.Result r = diagnose("--datadog-profiles", "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T11:00:00Z");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());

    assertEquals("/api/v2/spans/events/search", take().getUrl().encodedPath());
    RecordedRequest list = take();
    assertEquals("POST", list.getMethod());
    assertEquals("/api/unstable/profiles/list", list.getUrl().encodedPath());
    assertEquals(API_KEY, list.getHeaders().get("DD-API-KEY"));
    assertEquals(APP_KEY, list.getHeaders().get("DD-APPLICATION-KEY"));
    JsonNode body = JSON.readTree(list.getBody().utf8());
    assertEquals("*", body.get("filter").get("query").asText());
    assertEquals("2026-11-24T10:00:00Z", body.get("filter").get("from").asText());
    assertEquals("2026-11-24T11:00:00Z", body.get("filter").get("to").asText());
    assertEquals("timestamp", body.get("sort").get("field").asText());
    assertEquals("desc", body.get("sort").get("order").asText());
    assertEquals(20, body.get("limit").asInt());
    RecordedRequest d1 = take();
    assertEquals("GET", d1.getMethod());
    assertEquals("/api/ui/profiling/profiles/" + EVENT_1 + "/download", d1.getUrl().encodedPath());
    assertEquals(APP_KEY, d1.getHeaders().get("DD-APPLICATION-KEY"));
    assertEquals("/api/ui/profiling/profiles/" + EVENT_2 + "/download", take().getUrl().encodedPath());
    RecordedRequest d2 = take();
    assertEquals("/api/ui/profiling/profiles/" + PROFILE_2 + "/download", d2.getUrl().encodedPath());
    assertEquals(EVENT_2, d2.getUrl().queryParameter("eventId"));
    assertEquals(5, server.getRequestCount());

    JsonNode report = JSON.readTree(r.stdout());
    String notes = report.get("notes").toString();
    // The agent's pprof, and dd-trace-java's JFR as a cpu and a wall profile.
    assertEquals(3, report.get("inputs").get("profiles").asInt(), notes);
    assertTrue(notes.contains("2 downloaded from Datadog (2 files"), notes);
    // The agent's samples name its own span ids, which no span here has: they join Datadog's aws.lambda span of the
    // cold invocation by its request_id, so the init profile is rules-fn's and not left out between two functions.
    assertTrue(notes.contains("tied to their invocation span by request id"), notes);
    JsonNode fn = null;
    for (JsonNode f : report.get("functions")) if (f.get("function").asText().equals("rules-fn")) fn = f;
    assertTrue(fn != null, report.get("functions").toString());
    JsonNode init = fn.get("init");
    assertTrue(init != null && !init.isNull(), fn.toString());
    assertEquals(1, init.get("coldStarts").asInt(), init.toString());
    assertTrue(init.get("wallMs").asDouble() > 0, init.toString());
    assertEquals("datadog:" + EVENT_1 + "/wall.pprof", init.get("profileIds").get(0).asText(), init.toString());
  }

  @Test
  void boundedByCountAndBytes() throws Exception {
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, fixture("profiles/list.json")));
    server.enqueue(bytes(200, zip("wall.pprof", "ddsls-agent-coldstart.pb.gz")));
    CliProcess.Result r = diagnose("--datadog-profiles", "--datadog-max-profiles", "1");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    take();
    assertEquals(1, JSON.readTree(take().getBody().utf8()).get("limit").asInt());
    take();
    assertEquals(3, server.getRequestCount(), "one download: the list answered two rows, the limit is one");
    JsonNode report = JSON.readTree(r.stdout());
    assertEquals(1, report.get("inputs").get("profiles").asInt());
    assertTrue(report.get("notes").toString().contains("the newest 1 of the window"), report.get("notes").toString());

    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, fixture("profiles/list.json")));
    server.enqueue(bytes(200, zip("wall.pprof", "ddsls-agent-coldstart.pb.gz")));
    server.enqueue(bytes(200, zip("main.jfr", "dd-trace-java-1.65.1-ddprof.jfr")));
    CliProcess.Result small = diagnose("--datadog-profiles", "--datadog-max-bytes", "10KiB");
    assertEquals(0, small.exit(), small.stdout() + small.stderr());
    JsonNode sr = JSON.readTree(small.stdout());
    assertEquals(0, sr.get("inputs").get("profiles").asInt());
    assertTrue(sr.get("notes").toString().contains("over the remaining byte limit"), sr.get("notes").toString());
  }

  @Test
  void forbiddenListIsOneLine() throws Exception {
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(403, "{\"errors\":[\"Forbidden\"]}"));
    CliProcess.Result r = diagnose("--datadog-profiles", "--service", "rules-fn", "--function", "Rules-Fn", "--env", "prod");
    assertEquals(3, r.exit(), r.stdout() + r.stderr());
    assertOneLine(r, "Datadog rejected the API/application key (HTTP 403");
    assertOneLine(r, "profile list");
    take();
    // The agent tags its profiles with the function's name in lower case.
    JsonNode body = JSON.readTree(take().getBody().utf8());
    assertEquals("service:rules-fn functionname:rules-fn env:prod", body.get("filter").get("query").asText());
  }

  @Test
  void forbiddenDownloadIsOneLine() throws Exception {
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, fixture("profiles/list.json")));
    server.enqueue(json(403, "{\"errors\":[\"Forbidden\"]}"));
    CliProcess.Result r = diagnose("--datadog-profiles");
    assertEquals(3, r.exit(), r.stdout() + r.stderr());
    assertOneLine(r, "profile download");
  }

  @Test
  void malformedAnswers() throws Exception {
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, "{\"data\":{\"id\":\"x\"}}"));
    CliProcess.Result r = diagnose("--datadog-profiles");
    assertEquals(3, r.exit(), r.stdout() + r.stderr());
    assertOneLine(r, "without a \"data\" array");

    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, "{\"data\":[{\"id\":"));
    CliProcess.Result truncated = diagnose("--datadog-profiles");
    assertEquals(3, truncated.exit());
    assertOneLine(truncated, "invalid JSON for the profile list");

    // A download that is no zip and no profile, and a row without an id: notes, and the rest of the report stands.
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    server.enqueue(json(200, "{\"data\":[{\"type\":\"profile\",\"attributes\":{}},{\"id\":\"" + EVENT_1 + "\",\"attributes\":{}}]}"));
    server.enqueue(bytes(200, "<html>Service Unavailable</html>".getBytes(StandardCharsets.UTF_8)));
    CliProcess.Result broken = diagnose("--datadog-profiles");
    assertEquals(0, broken.exit(), broken.stdout() + broken.stderr());
    String notes = JSON.readTree(broken.stdout()).get("notes").toString();
    assertTrue(notes.contains("1 rows of Datadog's profile list left out"), notes);
    assertTrue(notes.contains("datadog:" + EVENT_1 + ": left out, not a readable profile"), notes);
    assertEquals(2, JSON.readTree(broken.stdout()).get("inputs").get("spans").asInt());
  }

  @Test
  void optInAndOnlyForDatadog() throws Exception {
    server.enqueue(json(200, fixture("profiles/search-cold-invocation.json")));
    CliProcess.Result r = diagnose();
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    assertEquals(1, server.getRequestCount(), "no profile endpoint without --datadog-profiles");
    assertTrue(JSON.readTree(r.stdout()).get("notes").toString().contains("pass --datadog-profiles"));

    CliProcess.Result dir = CliProcess.run(tmp, env(), 60, "diagnose", "--source", tmp.toString(), "--datadog-profiles");
    assertEquals(2, dir.exit(), dir.stdout() + dir.stderr());
    assertOneLine(dir, "--datadog-profiles goes with --source datadog");
    CliProcess.Result alone = diagnose("--datadog-max-profiles", "3");
    assertEquals(2, alone.exit());
    assertOneLine(alone, "go with --datadog-profiles");
  }
}
