package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.collect.Payloads.S;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Drives {@code ddsls collect} as a process over HTTP on loopback, with real payloads. */
@Tag("e2e")
@Order(2) // long: started early, so that short classes, not it, end the part that runs beside others
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long T0 = 1_700_000_000_000_000_000L;
  static final String MSGPACK = "application/msgpack";

  Path shared;
  CollectorProcess collector;

  @BeforeAll void startShared(@TempDir Path dir) throws Exception {
    shared = dir;
    collector = CollectorProcess.start("--data", shared.resolve("store").toString(), "--max-body", "256KiB");
  }

  @AfterAll void stopShared() throws Exception {
    if (collector != null) {
      assertEquals(CollectorProcess.SIGTERM_EXIT, collector.stop(), collector.output());
      assertTrue(collector.output().contains("ddsls collect stopped"), collector.output());
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private JsonNode spans(String query) throws Exception { return json(collector.get("/ddsls/v1/spans?" + query)).get("spans"); }

  /** What a tracer sends a local Agent besides traces and profiles: answered as the Agent does, listed in /info. */
  @Test void theAgentsOtherEndpointsAnswerAndInfoHashIsTheAgentState() throws Exception {
    HttpResponse<String> info = collector.get("/info");
    List<String> endpoints = new ArrayList<>();
    for (JsonNode e : json(info).get("endpoints")) endpoints.add(e.asText());
    assertTrue(endpoints.containsAll(List.of("/v0.4/traces", "/profiling/v1/input", "/telemetry/proxy/", "/v0.6/stats",
        "/v0.7/config", "/evp_proxy/v2/", "/debugger/v1/diagnostics")), endpoints.toString());
    byte[] json = "{\"request_type\":\"app-started\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(202, collector.send("POST", "/telemetry/proxy/api/v2/apmtelemetry", "application/json", json).statusCode());
    assertEquals(202, collector.send("POST", "/debugger/v1/diagnostics", "application/json", json).statusCode());
    assertEquals(202, collector.send("POST", "/evp_proxy/v2/api/v2/citestcycle", "application/json", json).statusCode());
    assertEquals(200, collector.send("PUT", "/v0.6/stats", MSGPACK, new byte[] {(byte) 0x80}).statusCode());
    HttpResponse<String> config = collector.send("POST", "/v0.7/config", "application/json", json);
    assertEquals(200, config.statusCode());
    assertEquals("{}", config.body(), "no configurations for this client");
    assertEquals(405, collector.send("GET", "/v0.7/config", null, new byte[0]).statusCode());
    // Every trace answer carries the hex SHA-256 of the /info body, as the Agent's does.
    HttpResponse<String> traces = collector.send("PUT", "/v0.4/traces", MSGPACK, new byte[] {(byte) 0x90}, "X-Datadog-Trace-Count", "0");
    assertEquals(200, traces.statusCode());
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(info.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(HexFormat.of().formatHex(hash), traces.headers().firstValue("Datadog-Agent-State").orElse(null));
  }

  @Test void v04MsgpackRoundTripsWith128BitIdsAndTheAgentsAnswer() throws Exception {
    long traceLow = 0xfedcba9876543210L; // above Long.MAX_VALUE as unsigned
    S root = new S(traceLow, 0xffffffffffffff01L, 0, T0).service("orders").meta("_dd.p.tid", "6553f10000000000")
        .meta("cold_start", "true").meta("request_id", "req-v04").meta("functionname", "orders-fn").meta("env", "prod")
        .metric("_sampling_priority_v1", 1).metric("aws.lambda.memory", 512.5);
    root.name = "aws.lambda";
    root.type = "serverless";
    S child = new S(traceLow, 77, 0xffffffffffffff01L, T0 + 5_000_000).service("orders").meta("http.method", "GET");
    child.error = 1;
    HttpResponse<String> r = collector.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(List.of(root, child))),
        "X-Datadog-Trace-Count", "1");
    JsonNode rates = json(r).get("rate_by_service");
    assertEquals(1.0, rates.get("service:,env:").asDouble());
    assertEquals(1.0, rates.get("service:orders,env:prod").asDouble());

    JsonNode byFull = spans("trace_id=6553f10000000000fedcba9876543210");
    assertEquals(2, byFull.size());
    JsonNode s = byFull.get(0);
    assertEquals(List.of("trace_id", "span_id", "parent_id", "name", "resource", "service", "type", "start", "duration", "error", "meta", "metrics"),
        fieldNames(s));
    assertEquals(Long.toUnsignedString(traceLow), s.get("trace_id").bigIntegerValue().toString());
    assertEquals("18446744073709551361", s.get("span_id").bigIntegerValue().toString());
    assertEquals(0, s.get("parent_id").asLong());
    assertEquals("aws.lambda", s.get("name").asText());
    assertEquals("serverless", s.get("type").asText());
    assertEquals(T0, s.get("start").asLong());
    assertEquals(1_000_000, s.get("duration").asLong());
    assertEquals("6553f10000000000", s.get("meta").get("_dd.p.tid").asText());
    assertEquals(512.5, s.get("metrics").get("aws.lambda.memory").asDouble());
    JsonNode c = byFull.get(1);
    assertEquals("18446744073709551361", c.get("parent_id").bigIntegerValue().toString());
    assertEquals(1, c.get("error").asInt());
    assertFalse(c.get("meta").has("_dd.p.tid"), "stored as received: only the first span carries the tid");

    assertEquals(2, spans("trace_id=" + Long.toUnsignedString(traceLow)).size());
    assertEquals(0, spans("trace_id=0000000000000001fedcba9876543210").size(), "the high half must match too");
    JsonNode cold = spans("cold_start=true&service=orders");
    assertEquals(1, cold.size());
    assertEquals(1, spans("request_id=req-v04").size());
    assertEquals(1, spans("function=orders-fn").size());
    assertEquals(1, spans("service=orders&from=" + (T0 / 1_000_000) + "&to=" + (T0 / 1_000_000 + 1)).size() ,
        "from/to in epoch ms select by span start");
    assertEquals(2, spans("service=orders&from=2023-11-14T22:13:20Z&to=2023-11-14T22:13:21Z").size());
  }

  @Test void v05MsgpackAndJsonAndV03AreStoredInTheSameShape() throws Exception {
    S a = new S(1001, 1, 0, T0 + 1000).service("v05svc").meta("cold_start", "false").meta("request_id", "req-v05").metric("m", 2);
    S b = new S(1001, 2, 1, T0 + 2000).service("v05svc");
    json(collector.send("POST", "/v0.5/traces", MSGPACK, Payloads.v05(List.of(List.of(a, b)))));
    JsonNode v05 = spans("service=v05svc");
    assertEquals(2, v05.size());
    assertEquals("req-v05", v05.get(0).get("meta").get("request_id").asText());
    assertEquals(2.0, v05.get(0).get("metrics").get("m").asDouble());
    assertEquals(1, v05.get(1).get("parent_id").asLong());
    assertEquals(1, spans("service=v05svc&cold_start=false").size());

    S j = new S(-2L, 5, 0, T0 + 3000).service("jsonsvc").meta("k", "v");
    json(collector.send("PUT", "/v0.4/traces", "application/json", Payloads.json(List.of(List.of(j)))));
    JsonNode js = spans("service=jsonsvc");
    assertEquals(1, js.size());
    assertEquals("18446744073709551614", js.get(0).get("trace_id").bigIntegerValue().toString());

    json(collector.send("PUT", "/v0.3/traces", MSGPACK, Payloads.v04(List.of(List.of(new S(3003, 9, 0, T0).service("v03svc"))))));
    assertEquals(1, spans("service=v03svc").size());
  }

  @Test void pagingWithACursorVisitsEverySpanOnce() throws Exception {
    List<S> trace = new ArrayList<>();
    for (int i = 0; i < 7; i++) trace.add(new S(4242, 100 + i, 0, T0 + (i % 3)).service("paged"));
    json(collector.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(trace))));
    Set<Long> seen = new HashSet<>();
    String cursor = "";
    int pages = 0;
    while (true) {
      JsonNode page = json(collector.get("/ddsls/v1/spans?service=paged&limit=3" + cursor));
      for (JsonNode s : page.get("spans")) assertTrue(seen.add(s.get("span_id").asLong()));
      pages++;
      if (page.get("next_cursor").isNull()) break;
      cursor = "&cursor=" + page.get("next_cursor").asText();
    }
    assertEquals(7, seen.size());
    assertEquals(3, pages);
    assertEquals(400, collector.get("/ddsls/v1/spans?cursor=nonsense").statusCode());
    assertEquals(400, collector.get("/ddsls/v1/spans?limit=0").statusCode());
  }

  @Test void profilesWithPprofAndJfrAttachmentsAreListedAndServedByteForByte() throws Exception {
    byte[] pprof = Payloads.pprofGz();
    byte[] jfr = jfrRecording();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("cpu.pprof", pprof);
    files.put("main.jfr", jfr);
    String event = Payloads.event("profsvc", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20.5Z", "cpu.pprof", "main.jfr");
    HttpResponse<String> r = collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(event, files, Map.of("main.jfr", "main")));
    long id = json(r).get("id").asLong();

    JsonNode list = json(collector.get("/ddsls/v1/profiles?service=profsvc")).get("profiles");
    assertEquals(1, list.size());
    JsonNode p = list.get(0);
    assertEquals(id, p.get("id").asLong());
    assertEquals("2023-11-14T22:13:20Z", p.get("start").asText());
    assertEquals("2023-11-14T22:14:20.500Z", p.get("end").asText());
    assertEquals("profsvc-fn", p.get("function").asText());
    assertEquals("java", p.get("family").asText());
    assertEquals("on-demand", p.get("event").get("tags_profiler").asText().replaceAll(".*snapshot:", ""));
    JsonNode atts = p.get("attachments");
    assertEquals("cpu.pprof", atts.get(0).get("name").asText());
    assertEquals("pprof", atts.get(0).get("format").asText());
    assertEquals("gzip", atts.get(0).get("compression").asText());
    assertEquals("jfr", atts.get(1).get("format").asText());
    assertEquals("none", atts.get(1).get("compression").asText());
    assertEquals(jfr.length, atts.get(1).get("size").asLong());

    HttpResponse<byte[]> jb = collector.getBytes(atts.get(1).get("url").asText());
    assertEquals(200, jb.statusCode());
    assertArrayEquals(jfr, jb.body());
    assertEquals("jfr", jb.headers().firstValue("X-Ddsls-Format").orElse(""));
    assertArrayEquals(pprof, collector.getBytes("/ddsls/v1/profiles/" + id + "/cpu.pprof").body());
    assertEquals(404, collector.get("/ddsls/v1/profiles/" + id + "/nope.pprof").statusCode());

    assertEquals(1, json(collector.get("/ddsls/v1/profiles?tag=runtime-id:abc&service=profsvc")).get("profiles").size());
    assertEquals(1, json(collector.get("/ddsls/v1/profiles?from=2023-11-14T22:14:00Z&to=2023-11-14T22:15:00Z&service=profsvc")).get("profiles").size());
    assertEquals(0, json(collector.get("/ddsls/v1/profiles?from=2023-11-14T22:15:00Z&service=profsvc")).get("profiles").size());
  }

  @Test void badPayloadsGetTheirStatusAndChangeNothingStored() throws Exception {
    // Something valid first, so the store is not empty.
    json(collector.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(List.of(new S(5005, 1, 0, T0).service("before"))))));
    String before = settledStoreDigest();
    String spansBefore = collector.get("/ddsls/v1/spans?limit=1000").body();
    String profilesBefore = collector.get("/ddsls/v1/profiles?limit=1000").body();

    byte[] good = Payloads.v04(List.of(List.of(new S(6006, 1, 0, T0).service("never"), new S(6006, 2, 1, T0).service("never"))));
    // Truncated: the spans before the cut would decode; none may be stored.
    assertStatus(400, "truncated", collector.send("PUT", "/v0.4/traces", MSGPACK, Arrays.copyOf(good, good.length - 3)));
    assertStatus(400, "invalid msgpack type", collector.send("PUT", "/v0.4/traces", MSGPACK, new byte[] {(byte) 0x91, (byte) 0x91, (byte) 0x81, (byte) 0xa1, (byte) 'x', (byte) 0xc1}));
    assertStatus(400, "unexpected bytes after the traces", collector.send("PUT", "/v0.4/traces", MSGPACK, concat(good, new byte[] {1})));
    MessageBufferPacker wt = MessagePack.newDefaultBufferPacker();
    wt.packArrayHeader(1).packArrayHeader(1).packMapHeader(2).packString("trace_id").packString("123").packString("span_id").packInt(1);
    byte[] wrongType = wt.toByteArray();
    assertStatus(400, "trace_id: expected an unsigned integer", collector.send("PUT", "/v0.4/traces", MSGPACK, wrongType));
    assertStatus(400, "span_id missing", collector.send("PUT", "/v0.4/traces", "application/json", "[[{\"trace_id\":5}]]".getBytes()));
    assertStatus(400, "meta", collector.send("PUT", "/v0.4/traces", "application/json",
        "[[{\"trace_id\":5,\"span_id\":1,\"meta\":{\"a\":1}}]]".getBytes()));
    assertStatus(400, "invalid JSON", collector.send("PUT", "/v0.4/traces", "application/json", "[[{\"trace_id\":".getBytes()));
    assertStatus(400, "expected a JSON array", collector.send("PUT", "/v0.4/traces", "application/json", "{}".getBytes()));
    assertStatus(400, "string index", collector.send("POST", "/v0.5/traces", MSGPACK, brokenV05()));
    assertStatus(413, "--max-body", collector.send("PUT", "/v0.4/traces", MSGPACK, new byte[600 * 1024]));

    byte[] pprof = Payloads.pprofGz();
    byte[] jfr = jfrRecording();
    String event = Payloads.event("never", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "cpu.pprof");
    assertStatus(400, "truncated gzip data", collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(event, Map.of("cpu.pprof", Arrays.copyOf(pprof, pprof.length - 10)), Map.of())));
    String jfrEvent = Payloads.event("never", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "main.jfr");
    assertStatus(400, "JFR chunk", collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(jfrEvent, Map.of("main.jfr", Arrays.copyOf(jfr, jfr.length / 2)), Map.of("main.jfr", "main"))));
    assertStatus(400, "has no part", collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(event, Map.of("other.pprof", pprof), Map.of())));
    assertStatus(400, "multipart/form-data", collector.send("POST", "/profiling/v1/input", "application/json", event.getBytes()));
    byte[] whole = Payloads.profile(event, Map.of("cpu.pprof", pprof), Map.of());
    assertStatus(400, "truncated", collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART, Arrays.copyOf(whole, whole.length - 30)));
    assertStatus(400, "RFC 3339", collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(event.replace("2023-11-14T22:13:20Z", "yesterday"), Map.of("cpu.pprof", pprof), Map.of())));
    assertStatus(413, "--max-body", collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(event, Map.of("cpu.pprof", new byte[400 * 1024]), Map.of())));

    assertStatus(404, "not a ddsls collect endpoint", collector.get("/v0.9/unknown"));
    assertStatus(405, "PUT or POST", collector.get("/v0.4/traces"));
    assertEquals(before, storeDigest(), "rejected requests must not touch the store files");
    assertEquals(spansBefore, collector.get("/ddsls/v1/spans?limit=1000").body());
    assertEquals(profilesBefore, collector.get("/ddsls/v1/profiles?limit=1000").body());
    assertTrue(collector.output().contains("ddsls collect: rejected /v0.4/traces: "), collector.output());

    JsonNode info = json(collector.get("/info"));
    List<String> endpoints = new ArrayList<>();
    info.get("endpoints").forEach(e -> endpoints.add(e.asText()));
    assertTrue(endpoints.containsAll(List.of("/v0.3/traces", "/v0.4/traces", "/v0.5/traces", "/profiling/v1/input")), endpoints.toString());
  }

  @Test void tokenIsRequiredOffLoopbackAndCheckedOnEveryRequest(@TempDir Path dir) throws Exception {
    CollectorProcess.Result open = CollectorProcess.run("collect", "--port", "0", "--bind", "0.0.0.0", "--data", dir.toString());
    assertEquals(2, open.exit, open.output);
    assertTrue(open.output.contains("--token"), open.output);

    String secret = "s3cret-" + System.nanoTime();
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString(), "--token", secret)) {
      byte[] body = Payloads.v04(List.of(List.of(new S(7007, 1, 0, T0))));
      assertStatus(401, "unauthorized", c.send("PUT", "/v0.4/traces", MSGPACK, body));
      assertStatus(401, "unauthorized", c.send("PUT", "/v0.4/traces", MSGPACK, body, "DD-Api-Key", "wrong"));
      assertStatus(401, "unauthorized", c.get("/ddsls/v1/spans"));
      assertStatus(200, "rate_by_service", c.send("PUT", "/v0.4/traces", MSGPACK, body, "DD-Api-Key", secret));
      assertStatus(200, "rate_by_service", c.send("PUT", "/v0.4/traces", MSGPACK, body, "Authorization", "Bearer " + secret));
      HttpResponse<String> read = CollectorProcess.HTTP.send(HttpRequest.newBuilder(c.uri("/ddsls/v1/spans"))
          .header("Authorization", "Bearer " + secret).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(2, json(read).get("spans").size());
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
      assertTrue(c.output().contains("token required"), c.output());
      assertFalse(c.output().contains(secret), "the token must never be printed");
    }
  }

  @Test void compactAppliesRetentionAndCheckPasses(@TempDir Path dir) throws Exception {
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString())) {
      json(c.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(List.of(new S(8008, 1, 0, T0), new S(8008, 2, 1, T0))))));
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
    CollectorProcess.Result kept = CollectorProcess.run("collect", "--compact", "--data", dir.toString());
    assertEquals(0, kept.exit, kept.output);
    assertTrue(CollectorProcess.run("collect", "--check", "--data", dir.toString()).output.contains("ok (2 spans"));
    Thread.sleep(5);
    CollectorProcess.Result dropped = CollectorProcess.run("collect", "--compact", "--retention", "1ms", "--data", dir.toString());
    assertEquals(0, dropped.exit, dropped.output);
    CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
    assertEquals(0, check.exit, check.output);
    assertTrue(check.output.contains("ok (0 spans"), check.output);
    assertEquals(3, CollectorProcess.run("collect", "--check", "--data", dir.resolve("missing").toString()).exit);
  }

  /** The periodic line counts requests, stored records, refusals and body bytes (the minute shortened to 200 ms). */
  @Test void countersLineIsPrintedEveryInterval(@TempDir Path dir) throws Exception {
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString(), "--interval", "200ms")) {
      byte[] two = Payloads.v04(List.of(List.of(new S(9001, 1, 0, T0), new S(9001, 2, 1, T0))));
      byte[] one = Payloads.v04(List.of(List.of(new S(9002, 1, 0, T0))));
      byte[] bad = "not msgpack".getBytes(StandardCharsets.UTF_8);
      json(c.send("PUT", "/v0.4/traces", MSGPACK, two));
      json(c.send("PUT", "/v0.4/traces", MSGPACK, one));
      assertEquals(400, c.send("PUT", "/v0.4/traces", MSGPACK, bad).statusCode());
      String expected = "ddsls collect: received=3 stored=3 rejected=1 bytes=" + (two.length + one.length + bad.length) + "\n";
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!c.output().contains(expected) && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(c.output().contains(expected), c.output());
      // Printed again while nothing happens: the line is periodic, not one per change.
      int first = c.output().indexOf(expected);
      while (c.output().indexOf(expected, first + 1) < 0 && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(c.output().indexOf(expected, first + 1) > first, c.output());
    }
  }

  /** --max-size drops the oldest records first, while the collector runs (retention every 200 ms here). */
  @Test void maxSizeDropsTheOldestRecordsFirst(@TempDir Path dir) throws Exception {
    int batches = 12, perBatch = 500;
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString(), "--max-size", "128KiB", "--interval", "200ms")) {
      for (int b = 0; b < batches; b++) {
        List<S> trace = new ArrayList<>();
        for (int i = 0; i < perBatch; i++) {
          // Random padding: spans are stored compressed, and the store must outgrow --max-size.
          trace.add(new S(70_000 + b, i + 1, i == 0 ? 0 : 1, T0 + i).meta("http.url", "https://example.com/items/" + b + "/" + i + "/"
              + UUID.randomUUID() + UUID.randomUUID()));
        }
        json(c.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(trace))));
        Thread.sleep(2); // distinct received times, oldest batch first
      }
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (spansOf(c, 70_000) > 0 && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(0, spansOf(c, 70_000), "the oldest trace is dropped: " + c.output());
      assertEquals(perBatch, spansOf(c, 70_000 + batches - 1), "the newest trace is kept whole");
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
    CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
    assertEquals(0, check.exit, check.output);
    long kept = Long.parseLong(check.output.replaceAll("(?s).*ok \\((\\d+) spans.*", "$1"));
    assertTrue(kept >= perBatch && kept < batches * perBatch, check.output);
    // Survivors are a suffix of the upload order: no younger trace was dropped while an older one stayed.
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString())) {
      boolean seenKept = false;
      for (int b = 0; b < batches; b++) {
        long n = spansOf(c, 70_000 + b);
        if (seenKept) assertEquals(perBatch, n, "trace of batch " + b);
        seenKept |= n > 0;
      }
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
  }

  private static long spansOf(CollectorProcess c, long traceId) throws Exception {
    return json(c.get("/ddsls/v1/spans?limit=1000&trace_id=" + traceId)).get("spans").size();
  }

  /**
   * A killed collector leaves nothing in the temporary directory. Left to itself sqlite-jdbc copies its native library
   * into java.io.tmpdir at every start and deletes it at exit, so SIGKILL stranded a megabyte a time; ddsls writes it
   * once into its cache and sqlite-jdbc loads it from there.
   */
  @Test void aKilledCollectorLeavesNoLibraryInTmpAndTheCachedOneIsLoaded(@TempDir Path dir) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp")), cache = dir.resolve("cache");
    Path cached = null;
    for (int start = 1; start <= 2; start++) {
      ProcessBuilder pb = CollectorProcess.command(List.of("-Djava.io.tmpdir=" + tmp), "collect", "--port", "0", "--data",
          dir.resolve("store").toString());
      pb.environment().put("DDSLS_CACHE_DIR", cache.toString());
      CollectorProcess c = CollectorProcess.start(pb);
      List<Path> libs;
      try (Stream<Path> walk = Files.walk(cache)) {
        libs = walk.filter(Files::isRegularFile).toList();
      }
      assertEquals(1, libs.size(), "start " + start + ": " + libs);
      if (cached == null) cached = libs.get(0);
      assertEquals(cached, libs.get(0));
      assertTrue(cached.getFileName().toString().contains("sqlitejdbc"), cached.toString());
      String maps = Files.readString(Path.of("/proc", Long.toString(c.process.pid()), "maps"));
      assertTrue(maps.contains(cached.toString()), "start " + start + ": the cached library is not mapped:\n" + maps);
      c.kill();
      try (Stream<Path> left = Files.list(tmp)) {
        assertEquals(List.of(), left.filter(f -> f.getFileName().toString().startsWith("sqlite-")).toList());
      }
    }
  }

  /**
   * A body declared over --max-body and sent whole, as tracers send it (no Expect: 100-continue): the client reads the
   * 413. Answered before the body was read, the connection was closed under a client still sending, which was reset.
   */
  @Test void aBodyOverMaxBodySentWholeGetsItsAnswer() throws Exception {
    assertOverMaxBodyAnswered(false);
  }

  /** The same without Content-Length: the collector finds the body too large as it arrives. */
  @Test void aChunkedBodyOverMaxBodySentWholeGetsItsAnswer() throws Exception {
    assertOverMaxBodyAnswered(true);
  }

  private void assertOverMaxBodyAnswered(boolean chunked) throws Exception {
    byte[] body = new byte[(256 + 300) * 1024];
    int piece = 64 * 1024;
    try (Socket s = new Socket("127.0.0.1", collector.port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("PUT /v0.4/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + MSGPACK + "\r\n"
          + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      for (int off = 0; off < body.length; off += piece) {
        int n = Math.min(piece, body.length - off);
        if (chunked) out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, off, n);
        if (chunked) out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(20); // the collector has answered by now, if it answers before the body is read
      }
      if (chunked) out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("--max-body 262144"), answer);
    }
  }

  /** Acknowledged means durable: SIGKILL at random points while a client streams uploads, then restart and look. */
  @Test void everyAcknowledgedRecordSurvivesSigkill(@TempDir Path dir) throws Exception {
    Random random = new Random();
    Map<Long, Integer> ackedTraces = new TreeMap<>();
    Set<String> ackedProfiles = new HashSet<>();
    byte[] pprof = Payloads.pprofGz();
    long next = 1;
    for (int round = 0; round < 4; round++) {
      CollectorProcess c = CollectorProcess.start("--data", dir.toString());
      verifyPresent(c, ackedTraces, ackedProfiles);
      final long firstTrace = next;
      long[] sent = {firstTrace};
      Thread client = new Thread(() -> {
        try {
          for (long t = firstTrace; ; t++) {
            int spans = 1 + (int) (t % 4);
            List<S> trace = new ArrayList<>();
            for (int s = 0; s < spans; s++) trace.add(new S(t, s + 1, s, T0 + t).service("crash").meta("request_id", "r" + t));
            sent[0] = t + 1;
            HttpResponse<String> r = c.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(trace)));
            if (r.statusCode() == 200) synchronized (ackedTraces) { ackedTraces.put(t, spans); }
            if (t % 5 == 0) {
              String svc = "crash-" + t;
              HttpResponse<String> p = c.send("POST", "/profiling/v1/input", Payloads.MULTIPART,
                  Payloads.profile(Payloads.event(svc, "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "cpu.pprof"), Map.of("cpu.pprof", pprof), Map.of()));
              if (p.statusCode() == 200) synchronized (ackedTraces) { ackedProfiles.add(svc); }
            }
          }
        } catch (Exception e) {
          // the collector was killed mid-request: that upload was not acknowledged
        }
      });
      int before;
      synchronized (ackedTraces) { before = ackedTraces.size(); }
      client.start();
      // Kill while the client is sending, however loaded the machine: a fixed delay from start ended some rounds
      // before the first acknowledgement (0 acknowledged in 4 rounds at load 15 on 2 cores).
      long deadline = System.nanoTime() + 30_000_000_000L;
      int acked = before;
      while (acked < before + 3 && client.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
        synchronized (ackedTraces) { acked = ackedTraces.size(); }
      }
      assertTrue(acked >= before + 3, "round " + (round + 1) + ": 3 traces acknowledged within 30 s, got " + (acked - before));
      Thread.sleep(random.nextInt(500));
      c.kill();
      client.join(10_000);
      assertFalse(client.isAlive());
      next = sent[0] + 1;
      CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
      assertEquals(0, check.exit, "after kill " + (round + 1) + ": " + check.output);
    }
    assertTrue(ackedTraces.size() > 8, "the client got acknowledgements: " + ackedTraces.size());
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString())) {
      verifyPresent(c, ackedTraces, ackedProfiles);
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
    assertEquals(0, CollectorProcess.run("collect", "--check", "--data", dir.toString()).exit);
  }

  private static void verifyPresent(CollectorProcess c, Map<Long, Integer> traces, Set<String> profiles) throws Exception {
    Map<Long, Integer> found = new TreeMap<>();
    String cursor = "";
    while (true) {
      JsonNode page = json(c.get("/ddsls/v1/spans?service=crash&limit=1000" + cursor));
      for (JsonNode s : page.get("spans")) found.merge(s.get("trace_id").asLong(), 1, Integer::sum);
      if (page.get("next_cursor").isNull()) break;
      cursor = "&cursor=" + page.get("next_cursor").asText();
    }
    synchronized (traces) {
      for (Map.Entry<Long, Integer> t : traces.entrySet()) assertEquals(t.getValue(), found.get(t.getKey()), "trace " + t.getKey());
      for (String svc : profiles) assertEquals(1, json(c.get("/ddsls/v1/profiles?service=" + svc)).get("profiles").size(), svc);
    }
  }

  private static void assertStatus(int status, String bodyPart, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().contains(bodyPart), "expected '" + bodyPart + "' in: " + r.body());
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /**
   * The store's files once the collector's checkpointer is done with the last commit: the log emptied (the TRUNCATE
   * checkpoint of a quiet period) and nothing changed for a while. Two equal digests alone could both come before a
   * late checkpoint, which would then change the files while the rejected requests are sent.
   */
  private String settledStoreDigest() throws Exception {
    Path wal = shared.resolve("store").resolve("collect.db-wal");
    String previous = storeDigest();
    for (int i = 0; i < 50; i++) {
      Thread.sleep(1200);
      String now = storeDigest();
      if (now.equals(previous) && (!Files.exists(wal) || Files.size(wal) == 0)) return now;
      previous = now;
    }
    throw new AssertionError("the store did not settle in a minute: log of " + Files.size(wal) + " bytes");
  }

  private String storeDigest() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> files = Files.list(shared.resolve("store"))) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith("-shm") || name.endsWith(".lock")) continue; // shared-memory index and lock: not data
        md.update(name.getBytes());
        md.update(Files.readAllBytes(f));
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static byte[] brokenV05() throws Exception {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(2).packArrayHeader(1).packString("x")
        .packArrayHeader(1).packArrayHeader(1).packArrayHeader(12).packInt(5).packInt(0).packInt(0).packLong(1).packLong(1).packLong(0)
        .packLong(0).packLong(0).packInt(0).packMapHeader(0).packMapHeader(0).packInt(0);
    return p.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** A real JFR file from the JDK's own recorder. */
  private static byte[] jfrRecording() throws Exception {
    Path f = Files.createTempFile("ddsls-collect-test", ".jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ThreadSleep");
      r.start();
      Thread.sleep(5);
      r.stop();
      r.dump(f);
      return Files.readAllBytes(f);
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
