package dev.ddsls.cli.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ddsls.cli.CliProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources that serve something broken: a record that cannot be read is left out with a note and the report still
 * made; a source that would page forever is stopped with one line.
 */
@Tag("e2e")
class HostileSourcesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path HOSTILE = Path.of("target", "test-classes", "hostile").toAbsolutePath();

  @TempDir Path tmp;

  /**
   * A store written before the collector checked uploads: one attachment is random bytes behind zstd's magic. Once
   * that made diagnose over the whole store exit 3; now that attachment is a note and the good one is read.
   */
  @Test
  void anUnreadableStoredAttachmentIsANoteNotTheEndOfTheReport() throws Exception {
    byte[] good = Files.readAllBytes(Path.of("..", "analysis", "src", "test", "resources", "dev", "ddsls", "analysis", "profile",
        "ProfileReaderFuzzTestInputs", "anyBytesAreProfilesOrOneError", "seed-coldstart-wall.pb.gz"));
    byte[] bad = Files.readAllBytes(HOSTILE.resolve("random-after-magic.zst"));
    // A third attachment points at another server: it is not fetched, so the token goes nowhere but the collector.
    HttpServer elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger stolen = new AtomicInteger();
    elsewhere.createContext("/", ex -> {
      stolen.incrementAndGet();
      send(ex, 200, good);
    });
    elsewhere.start();
    String outside = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/profile";
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/ddsls/v1/profiles", ex -> {
      String path = ex.getRequestURI().getPath();
      if (path.endsWith("/good")) send(ex, 200, good);
      else if (path.endsWith("/bad")) send(ex, 200, bad);
      else send(ex, 200, ("{\"profiles\":[{\"id\":\"1\",\"attachments\":["
          + "{\"name\":\"wall.pprof\",\"url\":\"/ddsls/v1/profiles/1/good\"},"
          + "{\"name\":\"main.jfr\",\"url\":\"/ddsls/v1/profiles/1/bad\"},"
          + "{\"name\":\"cpu.pprof\",\"url\":\"" + outside + "\"}]}],\"next_cursor\":null}").getBytes(StandardCharsets.UTF_8));
    });
    server.createContext("/ddsls/v1/spans", ex -> send(ex, 200, "{\"spans\":[],\"next_cursor\":null}".getBytes(StandardCharsets.UTF_8)));
    server.start();
    try {
      CliProcess.Result r = CliProcess.run(tmp, Map.of(), 120, "diagnose", "--source", "http://127.0.0.1:" + server.getAddress().getPort(),
          "--format", "json", "--quiet", "--token", "t0k3n");
      assertEquals(0, r.exit(), r.stderr());
      JsonNode report = JSON.readTree(r.stdout());
      assertEquals(1, report.get("inputs").get("profiles").asInt(), report.get("inputs").toString());
      String notes = report.get("notes").toString();
      assertTrue(notes.contains("collector:profile/1/main.jfr: left out, not a readable profile (corrupt zstd data"), notes);
      assertTrue(notes.contains("collector:profile/1/cpu.pprof: left out, not a readable profile (its URL points outside"), notes);
      assertEquals(0, stolen.get(), "an attachment URL outside the collector was fetched");
    } finally {
      server.stop(0);
      elsewhere.stop(0);
    }
  }

  /**
   * A collector whose streams are taken answers 503 with Retry-After (SlowClientsTest makes a real one do so): ddsls
   * comes back when told, and gives up with one line when the collector stays busy.
   */
  @Test
  void aBusyCollectorIsAskedAgainWhenItSays() throws Exception {
    AtomicInteger busyLeft = new AtomicInteger(2);
    AtomicInteger spanRequests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/ddsls/v1/profiles", ex -> send(ex, 200, "{\"profiles\":[],\"next_cursor\":null}".getBytes(StandardCharsets.UTF_8)));
    server.createContext("/ddsls/v1/spans", ex -> {
      spanRequests.incrementAndGet();
      if (busyLeft.getAndDecrement() > 0) {
        // 1 as the collector sends, not 0: on a 503 with Retry-After: 0 OkHttp itself asks once more at once.
        ex.getResponseHeaders().add("Retry-After", "1");
        send(ex, 503, "busy: 4 all=true answers are being streamed; retry in a second".getBytes(StandardCharsets.UTF_8));
      } else {
        send(ex, 200, ("{\"spans\":[{\"trace_id\":\"7\",\"span_id\":\"8\",\"parent_id\":\"0\",\"service\":\"orders\","
            + "\"name\":\"aws.lambda\",\"resource\":\"orders\",\"start\":1764000000000000000,\"duration\":1000000}],"
            + "\"next_cursor\":null}").getBytes(StandardCharsets.UTF_8));
      }
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      CliProcess.Result r = CliProcess.run(tmp, Map.of(), 120, "diagnose", "--source", url, "--format", "json", "--quiet");
      assertEquals(0, r.exit(), r.stderr());
      assertEquals(1, JSON.readTree(r.stdout()).get("inputs").get("spans").asInt(), r.stdout());
      assertEquals(3, spanRequests.get(), "two busy answers, then the spans");

      busyLeft.set(Integer.MAX_VALUE);
      spanRequests.set(0);
      r = CliProcess.run(tmp, Map.of(), 120, "diagnose", "--source", url, "--quiet");
      assertEquals(3, r.exit(), r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
      assertTrue(r.stderr().contains("answered 503: busy: 4 all=true answers are being streamed; retry in a second (asked 6 times)"),
          r.stderr());
      assertEquals(6, spanRequests.get());
    } finally {
      server.stop(0);
    }
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      in.readAllBytes();
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
  }

  private static Map<String, String> datadog(MockWebServer server) {
    return Map.of("DD_API_KEY", "0123456789abcdef0123456789abcdef", "DD_APP_KEY", "fedcba9876543210fedcba9876543210fedcba98",
        "DDSLS_DATADOG_API_URL", server.url("/").toString());
  }

  private static String page(String after, String... spans) {
    return "{\"data\":[" + String.join(",", spans) + "],\"meta\":{\"page\":" + (after == null ? "{}" : "{\"after\":\"" + after + "\"}") + "}}";
  }

  private static String span(String spanId, String start) throws IOException {
    ObjectNode a = JSON.createObjectNode();
    a.put("span_id", spanId).put("trace_id", "9000000000000071271").put("parent_id", "0").put("service", "orders")
        .put("resource_name", "orders").put("type", "serverless").put("start_timestamp", start).put("end_timestamp", start);
    a.putObject("attributes").put("operation_name", "aws.lambda");
    ObjectNode s = JSON.createObjectNode();
    s.put("type", "spans").put("id", spanId).set("attributes", a);
    return JSON.writeValueAsString(s);
  }

  /** A search answer that sends the same cursor again (a proxy replaying, an API fault) would page forever. */
  @Test
  void aRepeatedDatadogCursorStopsWithOneLine() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start(InetAddress.getLoopbackAddress(), 0);
      for (int i = 0; i < 3; i++) server.enqueue(json(page("c1", span("4000000000000000279", "2026-11-24T10:09:00.000Z"))));
      CliProcess.Result r = CliProcess.run(tmp, datadog(server), 120, "diagnose", "--source", "datadog", "--quiet");
      assertEquals(3, r.exit(), r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
      assertTrue(r.stderr().contains("sent page cursor c1 a second time"), r.stderr());
      assertEquals(2, server.getRequestCount());
    }
  }

  /** A span whose id or timestamp does not parse is left out with a note; the others make the report. */
  @Test
  void anUnreadableDatadogSpanIsANote() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start(InetAddress.getLoopbackAddress(), 0);
      server.enqueue(json(page(null, span("4000000000000000279", "2026-11-24T10:09:00.000Z"), span("not-an-id", "yesterday"))));
      CliProcess.Result r = CliProcess.run(tmp, datadog(server), 120, "diagnose", "--source", "datadog", "--quiet", "--format", "json",
          "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T11:00:00Z");
      assertEquals(0, r.exit(), r.stderr());
      JsonNode report = JSON.readTree(r.stdout());
      assertEquals(1, report.get("inputs").get("spans").asInt(), report.get("inputs").toString());
      assertTrue(report.get("notes").toString().contains("1 spans from Datadog left out, not readable"), report.get("notes").toString());
      assertFalse(r.stderr().contains("\tat "), r.stderr());
    }
  }
}
