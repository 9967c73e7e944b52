package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddsls.cli.collect.Payloads.S;
import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** Amplifiers, bombs and bad bodies get their answers in bounded memory. */
@Isolated // its payloads of 50 MB and bombs take the machine's CPU and memory: other classes' JVMs would starve
class CollectorUnderAttackTest extends CollectorAttack {
  @Test @Order(1) void amplifiersAreRefusedInBoundedMemory() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    AtomicBoolean stop = new AtomicBoolean();
    Future<Integer> others = serveMeanwhile(stop, pool);
    try {
      // 50 MB of msgpack: one trace of 50 million empty span maps.
      int n = 50_000_000;
      byte[] empty = new byte[6 + n];
      ByteBuffer.wrap(empty).put((byte) 0x91).put((byte) 0xdd).putInt(n);
      Arrays.fill(empty, 6, empty.length, (byte) 0x80);
      assertStatus(413, "budget", send("PUT", "/v0.4/traces", MSGPACK, empty));
      // v0.5: a string table of 50 million nils.
      byte[] table = new byte[7 + n];
      ByteBuffer.wrap(table).put((byte) 0x92).put((byte) 0xdd).putInt(n);
      Arrays.fill(table, 6, 6 + n, (byte) 0xc0);
      table[6 + n] = (byte) 0x90;
      assertStatus(413, "budget", send("PUT", "/v0.5/traces", MSGPACK, table));
      // JSON: millions of empty span objects.
      StringBuilder sb = new StringBuilder(40_000_000).append("[[");
      for (int i = 0; i < 12_000_000; i++) sb.append(i == 0 ? "{}" : ",{}");
      sb.append("]]");
      assertStatus(413, "budget", send("PUT", "/v0.4/traces", "application/json", sb.toString().getBytes(StandardCharsets.US_ASCII)));
      // Bodies whose declared counts are lies: refused before anything is built.
      byte[] lie = {(byte) 0x91, (byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
      assertStatus(400, "exceeds", send("PUT", "/v0.4/traces", MSGPACK, lie));
    } finally {
      stop.set(true);
      assertTrue(others.get(60, TimeUnit.SECONDS) > 0, "the well-behaved client was served meanwhile");
      pool.shutdownNow();
    }
    assertRss();
  }

  @Test @Order(2) void bombsAreRefused() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    AtomicBoolean stop = new AtomicBoolean();
    Future<Integer> others = serveMeanwhile(stop, pool);
    try {
      String event = Payloads.event("bomb", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", "cpu.pprof");
      // One attachment inflating to 600 MiB.
      byte[] big = gzipPprof(600L << 20);
      assertStatus(413, "inflating", send("POST", "/profiling/v1/input", Payloads.MULTIPART,
          Payloads.profile(event, Map.of("cpu.pprof", big), Map.of())));
      // Twelve attachments of 20 MiB each: each alone is fine, together they pass the budget.
      byte[] twenty = gzipPprof(20L << 20);
      Map<String, byte[]> files = new LinkedHashMap<>();
      String[] names = new String[12];
      for (int i = 0; i < 12; i++) {
        names[i] = "a" + i + ".pprof";
        files.put(names[i], twenty);
      }
      assertStatus(413, "inflating", send("POST", "/profiling/v1/input", Payloads.MULTIPART,
          Payloads.profile(Payloads.event("bomb", "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z", names), files, Map.of())));
      // A pprof of 25 million empty samples (48 KB gzipped): its 50 MB do not fit this collector's budget (413); with
      // a larger budget the sample limit refuses it (400), as it refuses 1.5 million here.
      HttpResponse<String> samples25m = send("POST", "/profiling/v1/input", Payloads.MULTIPART,
          Payloads.profile(event, Map.of("cpu.pprof", emptySamples(25)), Map.of()));
      assertTrue(samples25m.statusCode() == 413 || samples25m.statusCode() == 400, samples25m.statusCode() + " " + samples25m.body());
      assertStatus(400, "samples", send("POST", "/profiling/v1/input", Payloads.MULTIPART,
          Payloads.profile(event, Map.of("cpu.pprof", emptySamples(1.5)), Map.of())));
      // Random bytes behind a zstd magic, and behind an lz4 one: refused at upload, not stored.
      byte[] random = new byte[4096];
      new Random(15).nextBytes(random);
      byte[] zstd = random.clone();
      zstd[0] = 0x28; zstd[1] = (byte) 0xb5; zstd[2] = 0x2f; zstd[3] = (byte) 0xfd;
      assertStatus(400, "zstd", send("POST", "/profiling/v1/input", Payloads.MULTIPART, Payloads.profile(event, Map.of("cpu.pprof", zstd), Map.of())));
      byte[] lz4 = random.clone();
      lz4[0] = 0x04; lz4[1] = 0x22; lz4[2] = 0x4d; lz4[3] = 0x18;
      assertStatus(400, "lz4", send("POST", "/profiling/v1/input", Payloads.MULTIPART, Payloads.profile(event, Map.of("cpu.pprof", lz4), Map.of())));
      // A real zstd pprof is taken.
      byte[] pprof = ungzip(Payloads.pprofGz());
      byte[] compressed = new byte[new ZstdCompressor().maxCompressedLength(pprof.length)];
      int len = new ZstdCompressor().compress(pprof, 0, pprof.length, compressed, 0, compressed.length);
      assertEquals(200, send("POST", "/profiling/v1/input", Payloads.MULTIPART,
          Payloads.profile(event, Map.of("cpu.pprof", Arrays.copyOf(compressed, len)), Map.of())).statusCode());
    } finally {
      stop.set(true);
      assertTrue(others.get(60, TimeUnit.SECONDS) > 0, "the well-behaved client was served meanwhile");
      pool.shutdownNow();
    }
    JsonNode profiles = JSON.readTree(collector.get("/ddsls/v1/profiles?service=bomb").body()).get("profiles");
    assertEquals(1, profiles.size(), "only the good upload is stored: " + profiles);
    assertEquals("zstd", profiles.get(0).get("attachments").get(0).get("compression").asText());
    assertRss();
  }

  @Test @Order(3) void badBodiesAndHeadersGetTheirAnswers() throws Exception {
    String event = Payloads.event("late", "2263-01-01T00:00:00Z", "2263-01-01T00:01:00Z", "cpu.pprof");
    assertStatus(400, "2262", send("POST", "/profiling/v1/input", Payloads.MULTIPART,
        Payloads.profile(event, Map.of("cpu.pprof", Payloads.pprofGz()), Map.of())));
    byte[] json = Payloads.json(List.of(List.of(new S(7, 7, 0, T0))));
    byte[] trailing = Arrays.copyOf(json, json.length + 4);
    System.arraycopy("[[]]".getBytes(StandardCharsets.US_ASCII), 0, trailing, json.length, 4);
    assertStatus(400, "after the traces", send("PUT", "/v0.4/traces", "application/json", trailing));
    byte[] deep = ("[[{\"meta\":" + "[".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
    assertStatus(400, "JSON", send("PUT", "/v0.4/traces", "application/json", deep));
    // 40 MiB of dashes: the boundary search is linear, the answer comes at once.
    byte[] dashes = new byte[40 << 20];
    Arrays.fill(dashes, (byte) '-');
    assertStatus(400, "multipart", send("POST", "/profiling/v1/input", Payloads.MULTIPART, dashes));
    assertStatus(400, "unknown parameter", collector.get("/ddsls/v1/profiles?servce=x"));
    assertStatus(400, "unknown parameter", collector.get("/ddsls/v1/spans?servce=x"));
    // Over --max-body.
    // Declared, not sent whole: the collector reads what comes and answers 413 once a deadline ends the read (after the
    // minimum rate's first second). A client that sends it whole reads the 413 too (CollectTest).
    assertTrue(rawRequest("PUT /v0.4/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + MSGPACK + "\r\nContent-Length: "
        + ((50 << 20) + 1) + "\r\n\r\n" + "\0".repeat(1024)).startsWith("HTTP/1.1 413"), "--max-body");
    // Headers: a line over 1 MB, and 200 fields.
    assertTrue(rawRequest("GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n").startsWith("HTTP/1.1 431"));
    StringBuilder many = new StringBuilder("GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < 200; i++) many.append("X-H").append(i).append(": 1\r\n");
    assertTrue(rawRequest(many.append("\r\n").toString()).startsWith("HTTP/1.1 431"));
    served();
    assertRss();
  }

  /** A gzipped pprof of {@code n} bytes: empty string-table entries, valid to its end (so only its size can refuse it). */
  static byte[] gzipPprof(long n) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    byte[] strings = new byte[1 << 20];
    for (int i = 0; i < strings.length; i += 2) strings[i] = 0x32; // field 6 (string_table), length 0
    try (GZIPOutputStream out = new GZIPOutputStream(gz, 1 << 16)) {
      for (long i = 0; i < n; i += strings.length) out.write(strings);
    }
    return gz.toByteArray();
  }

  /** A gzipped pprof of {@code millions} million empty samples. */
  static byte[] emptySamples(double millions) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      byte[] sample = new byte[2 * 500_000];
      for (int i = 0; i < sample.length; i += 2) sample[i] = 0x12; // field 2 (sample), length 0
      for (int i = 0; i < millions * 2; i++) out.write(sample);
    }
    return gz.toByteArray();
  }

  static byte[] ungzip(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) { return in.readAllBytes(); }
  }
}
