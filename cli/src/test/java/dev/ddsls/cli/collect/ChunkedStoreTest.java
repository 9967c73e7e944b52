package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.collect.Payloads.S;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunked span store and its read API, through a collector process: spans of many requests (and requests
 * larger than one chunk) page in start order and stream with all=true; profiles are found by the span ids of their
 * samples; a store written by the previous schema is migrated on open.
 */
@Tag("e2e")
class ChunkedStoreTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long T0 = 1_700_000_000_000_000_000L;
  static final String MSGPACK = "application/msgpack";

  @Test void pagesAcrossChunksVisitEverySpanOnceInStartOrderAndAllTrueStreamsTheSame(@TempDir Path dir) throws Exception {
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString())) {
      // 1500 spans: two chunks of one request; then requests whose start times interleave with it.
      List<S> big = new ArrayList<>();
      for (int i = 0; i < 1500; i++) big.add(new S(900, 1 + i, 0, T0 + 3L * i).service("chunked").meta("request_id", "big-" + (i % 7)));
      List<S> mid = new ArrayList<>();
      for (int i = 0; i < 600; i++) mid.add(new S(901, 10_000 + i, 0, T0 + 5L * i + 1).service("chunked"));
      List<S> small = new ArrayList<>();
      for (int i = 0; i < 10; i++) small.add(new S(902, 20_000 + i, 0, T0 + 2).service(i % 2 == 0 ? "chunked" : "other"));
      for (List<S> req : List.of(big, mid, small)) assertEquals(200, c.send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(List.of(req))).statusCode());

      List<Long> paged = new ArrayList<>();
      long lastStart = Long.MIN_VALUE;
      String cursor = "";
      for (int pages = 0; ; pages++) {
        assertTrue(pages < 100, "paging must end");
        JsonNode page = JSON.readTree(c.get("/ddsls/v1/spans?service=chunked&limit=97" + cursor).body());
        for (JsonNode s : page.get("spans")) {
          long start = s.get("start").asLong();
          assertTrue(start >= lastStart, "pages are in start order");
          lastStart = start;
          paged.add(s.get("span_id").asLong());
        }
        if (page.get("next_cursor").isNull()) break;
        cursor = "&cursor=" + page.get("next_cursor").asText();
      }
      assertEquals(2105, paged.size());
      assertEquals(2105, new HashSet<>(paged).size(), "no span twice");

      JsonNode all = JSON.readTree(c.get("/ddsls/v1/spans?service=chunked&all=true").body());
      Set<Long> streamed = new HashSet<>();
      for (JsonNode s : all.get("spans")) streamed.add(s.get("span_id").asLong());
      assertEquals(new HashSet<>(paged), streamed);
      assertTrue(all.get("next_cursor").isNull());

      assertEquals(1500 / 7 + 1, JSON.readTree(c.get("/ddsls/v1/spans?all=true&request_id=big-0").body()).get("spans").size());
      assertEquals(5, JSON.readTree(c.get("/ddsls/v1/spans?all=true&service=other").body()).get("spans").size());
      assertEquals(600, JSON.readTree(c.get("/ddsls/v1/spans?all=true&trace_id=901").body()).get("spans").size());
      // Chunks overlap in time: the window filter applies to each span, not to the chunk.
      JsonNode window = JSON.readTree(c.get("/ddsls/v1/spans?all=true&trace_id=900&from=" + (T0 / 1_000_000) + "&to=" + (T0 / 1_000_000 + 1)).body());
      assertEquals(1500, window.get("spans").size());
      assertEquals(400, c.get("/ddsls/v1/spans?all=maybe").statusCode());
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
    CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
    assertEquals(0, check.exit, check.output);
    assertTrue(check.output.contains("ok (2110 spans"), check.output);
  }

  @Test void profilesAreFoundByTheSpanIdsAndLocalRootSpanIdsOfTheirSamples(@TempDir Path dir) throws Exception {
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString())) {
      byte[] pprof = pprofWithSpans(Map.of(501L, 77L, 502L, 77L, 503L, 78L));
      String event = Payloads.event("spanned", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "cpu.pprof");
      assertEquals(200, c.send("POST", "/profiling/v1/input", Payloads.MULTIPART, Payloads.profile(event, Map.of("cpu.pprof", pprof), Map.of())).statusCode());
      for (long id : new long[] {501, 502, 503, 77, 78}) {
        assertEquals(1, JSON.readTree(c.get("/ddsls/v1/profiles?span_id=" + id).body()).get("profiles").size(), "span " + id);
      }
      assertEquals(0, JSON.readTree(c.get("/ddsls/v1/profiles?span_id=504").body()).get("profiles").size());
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
  }

  @Test void maxSizeDropsTheOldestProfilesOfAStoreWithoutSpans(@TempDir Path dir) throws Exception {
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString(), "--max-size", "256KiB", "--interval", "200ms")) {
      Random random = new Random(7);
      for (int i = 0; i < 20; i++) {
        byte[] filler = new byte[30_000]; // incompressible, so that each profile takes its size in the store
        random.nextBytes(filler);
        ByteArrayOutputStream pb = new ByteArrayOutputStream();
        field(pb, 6, filler);
        String event = Payloads.event("sized-" + i, "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "cpu.pprof");
        assertEquals(200, c.send("POST", "/profiling/v1/input", Payloads.MULTIPART, Payloads.profile(event, Map.of("cpu.pprof", pb.toByteArray()), Map.of())).statusCode());
      }
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (profiles(c, "sized-0") > 0 && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(0, profiles(c, "sized-0"), "the oldest profile is dropped: " + c.output());
      assertEquals(1, profiles(c, "sized-19"), "the newest is kept");
      assertTrue(!c.output().contains("retention failed"), c.output());
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
    CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
    assertEquals(0, check.exit, check.output);
  }

  private static int profiles(CollectorProcess c, String service) throws Exception {
    return JSON.readTree(c.get("/ddsls/v1/profiles?service=" + service).body()).get("profiles").size();
  }

  /** A store of schema 1 (one row per span, written by the collector before span chunks) opens as schema 2. */
  @Test void aStoreOfTheFirstSchemaIsMigratedOnOpen(@TempDir Path dir) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("collect.db")); Statement s = db.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE spans(id INTEGER PRIMARY KEY, received INTEGER NOT NULL, trace_id INTEGER NOT NULL, trace_id_high INTEGER NOT NULL,"
          + " span_id INTEGER NOT NULL, parent_id INTEGER NOT NULL, service TEXT NOT NULL, function TEXT, name TEXT NOT NULL, start INTEGER NOT NULL,"
          + " duration INTEGER NOT NULL, cold_start INTEGER, request_id TEXT, json TEXT NOT NULL, crc INTEGER NOT NULL)");
      s.execute("CREATE INDEX spans_trace ON spans(trace_id)");
      s.execute("CREATE TABLE profiles(id INTEGER PRIMARY KEY, received INTEGER NOT NULL, start_ns INTEGER NOT NULL,"
          + " end_ns INTEGER NOT NULL, service TEXT, function TEXT, family TEXT NOT NULL, event TEXT NOT NULL, crc INTEGER NOT NULL)");
      s.execute("CREATE TABLE profile_tags(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
          + " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(profile_id, key, value)) WITHOUT ROWID");
      s.execute("CREATE TABLE attachments(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
          + " name TEXT NOT NULL, format TEXT NOT NULL, compression TEXT NOT NULL, size INTEGER NOT NULL,"
          + " crc INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(profile_id, name))");
      s.execute("CREATE TABLE profile_spans(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
          + " span_id INTEGER NOT NULL, local_root_span_id INTEGER NOT NULL, PRIMARY KEY(profile_id, span_id, local_root_span_id)) WITHOUT ROWID");
      s.execute("CREATE INDEX profile_spans_span ON profile_spans(span_id)");
      long received = System.currentTimeMillis(); // within --retention
      for (int i = 0; i < 3; i++) {
        String json = "{\"trace_id\":-1,\"span_id\":" + (i + 1) + ",\"parent_id\":0,\"name\":\"aws.lambda\",\"resource\":\"r\",\"service\":\"old\","
            + "\"type\":\"serverless\",\"start\":" + (T0 + i) + ",\"duration\":5,\"error\":0,\"meta\":{\"request_id\":\"req-" + i + "\","
            + "\"cold_start\":\"" + (i == 0) + "\",\"functionname\":\"old-fn\"},\"metrics\":{}}";
        json = json.replace("-1", "18446744073709551615"); // unsigned, as the old collector wrote it
        s.execute("INSERT INTO spans VALUES (" + (i + 1) + ", " + received + ", -1, 7, " + (i + 1) + ", 0, 'old', 'old-fn', 'aws.lambda', "
            + (T0 + i) + ", 5, " + (i == 0 ? 1 : 0) + ", 'req-" + i + "', '" + json + "', " + crc(json.getBytes(StandardCharsets.UTF_8)) + ")");
      }
      String event = Payloads.event("old", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "cpu.pprof");
      s.execute("INSERT INTO profiles VALUES (1, " + received + ", 1, 2, 'old', 'old-fn', 'java', '" + event + "', " + crc(event.getBytes(StandardCharsets.UTF_8)) + ")");
      s.execute("INSERT INTO profile_spans VALUES (1, 2, 1)");
      s.execute("PRAGMA user_version=1");
    }
    try (CollectorProcess c = CollectorProcess.start("--data", dir.toString())) {
      for (int i = 0; i < 100 && !c.output().contains("storing in"); i++) Thread.sleep(50);
      assertTrue(c.output().contains("3 spans, 1 profiles"), c.output());
      JsonNode spans = JSON.readTree(c.get("/ddsls/v1/spans?trace_id=0000000000000007ffffffffffffffff").body()).get("spans");
      assertEquals(3, spans.size());
      assertEquals("18446744073709551615", spans.get(0).get("trace_id").bigIntegerValue().toString());
      assertEquals(1, JSON.readTree(c.get("/ddsls/v1/spans?request_id=req-2").body()).get("spans").size());
      assertEquals(1, JSON.readTree(c.get("/ddsls/v1/spans?cold_start=true&function=old-fn").body()).get("spans").size());
      assertEquals(1, JSON.readTree(c.get("/ddsls/v1/profiles?span_id=1").body()).get("profiles").size(), "local root span id");
      assertEquals(1, JSON.readTree(c.get("/ddsls/v1/profiles?span_id=2").body()).get("profiles").size(), "span id");
      assertEquals(CollectorProcess.SIGTERM_EXIT, c.stop());
    }
    CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
    assertEquals(0, check.exit, check.output);
  }

  /** A gzipped pprof with one sample per span, labelled like the agent's: "span id" and "local root span id". */
  static byte[] pprofWithSpans(Map<Long, Long> rootOfSpan) throws Exception {
    ByteArrayOutputStream pb = new ByteArrayOutputStream();
    for (String s : new String[] {"", "cpu-samples", "count", "span id", "local root span id"}) field(pb, 6, s.getBytes(StandardCharsets.UTF_8));
    field(pb, 1, new byte[] {0x08, 0x01, 0x10, 0x02});
    for (Map.Entry<Long, Long> e : rootOfSpan.entrySet()) {
      ByteArrayOutputStream sample = new ByteArrayOutputStream();
      sample.write(0x10);
      varint(sample, 1);
      field(sample, 3, label(3, e.getKey()));
      field(sample, 3, label(4, e.getValue()));
      field(pb, 2, sample.toByteArray());
    }
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) { out.write(pb.toByteArray()); }
    return gz.toByteArray();
  }

  static byte[] label(int key, long num) {
    ByteArrayOutputStream l = new ByteArrayOutputStream();
    l.write(0x08);
    varint(l, key);
    l.write(0x18);
    varint(l, num);
    return l.toByteArray();
  }

  static void field(ByteArrayOutputStream out, int number, byte[] data) {
    out.write(number << 3 | 2);
    varint(out, data.length);
    out.writeBytes(data);
  }

  static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** The store's record checksum (CRC32C), computed here as the store's --check recomputes it. */
  private static long crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b, 0, b.length);
    return c.getValue();
  }
}
