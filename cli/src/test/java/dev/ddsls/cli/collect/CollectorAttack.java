package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.collect.Payloads.S;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls collect} as a process under the attacks of issue 15, one collector a class: each attack gets its 4xx/5xx;
 * meanwhile a well-behaved client keeps being served (each of its requests has a generous timeout; nothing else about
 * time is asserted); the collector's peak RSS stays under the bound docs/collector.md gives; and every acknowledged
 * trace is in the store at the end, which {@code --check} finds sound. {@link SlowClientsTest}: slow clients and
 * readers that never read, beside the suite's other classes (they take the collector's time, not the machine's);
 * {@link CollectorUnderAttackTest}: amplifiers, bombs and bad bodies, alone.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
abstract class CollectorAttack {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MSGPACK = "application/msgpack";
  /** The test collector's heap (CollectorProcess) and memory budget. */
  static final long HEAP_MIB = 256, BUDGET_MIB = 96;
  /** docs/collector.md "Limits": peak RSS at most the heap plus 256 MiB (code, metaspace, threads, SQLite, buffers). */
  static final long RSS_BOUND_MIB = HEAP_MIB + 256;
  static final Duration GENEROUS = Duration.ofSeconds(10);
  static final long T0 = 1_700_000_000_000_000_000L;

  Path dir;
  CollectorProcess collector;
  /** Trace ids the collector acknowledged with 200; all must be stored at the end. */
  final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
  final AtomicLong nextTrace = new AtomicLong(1);

  @BeforeAll void start(@TempDir Path tmp) throws Exception {
    dir = tmp.resolve("store");
    collector = CollectorProcess.start("--data", dir.toString(), "--max-memory", BUDGET_MIB + "MiB");
  }

  @AfterAll void stop() throws Exception {
    if (collector != null) collector.close();
  }

  /** A well-behaved tracer and reader: one trace stored and acknowledged, and /info answered. */
  void served() throws Exception {
    long trace = nextTrace.getAndIncrement();
    byte[] body = Payloads.v04(List.of(List.of(new S(trace, trace, 0, T0 + trace).meta("request_id", "r" + trace))));
    HttpResponse<String> put = CollectorProcess.HTTP.send(HttpRequest.newBuilder(collector.uri("/v0.4/traces")).timeout(GENEROUS)
        .header("Content-Type", MSGPACK).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, put.statusCode(), put.body());
    acknowledged.add(trace);
    HttpResponse<String> info = CollectorProcess.HTTP.send(HttpRequest.newBuilder(collector.uri("/info")).timeout(GENEROUS).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, info.statusCode(), info.body());
  }

  /** Runs {@link #served} over and over on another thread until {@code stop}; returns how many rounds passed. */
  Future<Integer> serveMeanwhile(AtomicBoolean stop, ExecutorService pool) {
    return pool.submit(() -> {
      int rounds = 0;
      while (!stop.get()) {
        served();
        rounds++;
        Thread.sleep(100);
      }
      return rounds;
    });
  }

  /**
   * Every span, as a reader who reads does it: asking again while the collector answers 503 with Retry-After. After an
   * attack that held the streams, they are free only once the collector's writers have seen the attackers gone.
   */
  HttpResponse<String> allSpans() throws Exception {
    HttpResponse<String> all;
    int asked = 0;
    do {
      if (asked++ > 0) Thread.sleep(1000);
      all = CollectorProcess.HTTP.send(HttpRequest.newBuilder(collector.uri("/ddsls/v1/spans?all=true"))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    } while (all.statusCode() == 503 && all.headers().firstValue("Retry-After").isPresent() && asked < 30);
    return all;
  }

  HttpResponse<String> send(String method, String path, String type, byte[] body) throws Exception {
    return collector.send(method, path, type, body);
  }

  static void assertStatus(int status, String part, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().contains(part), "expected '" + part + "' in: " + r.body());
  }

  /**
   * Last in each class, after its attacks: every trace acknowledged is stored and found by its id; the peak RSS held
   * its bound; the store checks sound.
   */
  @Test @Order(Integer.MAX_VALUE) void nothingAcknowledgedIsLost() throws Exception {
    served();
    // Every span in one streamed answer: a query per trace, as this was, took 11 s for the 5,000 traces alone.
    HttpResponse<String> all = allSpans();
    assertEquals(200, all.statusCode(), all.body());
    Set<Long> stored = new HashSet<>();
    for (JsonNode span : JSON.readTree(all.body()).get("spans")) stored.add(Long.parseUnsignedLong(span.get("trace_id").asText()));
    List<Long> ids = new ArrayList<>(acknowledged);
    for (long trace : ids) assertTrue(stored.contains(trace), "acknowledged trace " + trace + " is stored");
    // And the index by trace id answers for some of them, the first and last acknowledged among them.
    for (int i = 0; i < ids.size(); i += Math.max(1, ids.size() / 10)) {
      JsonNode spans = JSON.readTree(collector.get("/ddsls/v1/spans?trace_id=" + ids.get(i)).body()).get("spans");
      assertFalse(spans.isEmpty(), "acknowledged trace " + ids.get(i) + " is found by its id");
    }
    long last = ids.get(ids.size() - 1);
    assertFalse(JSON.readTree(collector.get("/ddsls/v1/spans?trace_id=" + last).body()).get("spans").isEmpty(), "trace " + last);
    assertRss();
    assertEquals(CollectorProcess.SIGTERM_EXIT, collector.stop(), collector.output());
    CollectorProcess.Result check = CollectorProcess.run("collect", "--check", "--data", dir.toString());
    assertEquals(0, check.exit, check.output);
  }

  /** Sends a request on a raw socket (writing on another thread: the collector may answer before it is all sent). */
  String rawRequest(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", collector.port)) {
      s.setSoTimeout(20_000);
      Thread writer = new Thread(() -> {
        try {
          s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the collector answered and closed
        }
      });
      writer.setDaemon(true);
      writer.start();
      return new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
    }
  }

  void assertRss() throws IOException {
    long hwm = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + collector.process.pid() + "/status"))) {
      if (line.startsWith("VmHWM:")) hwm = Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
    }
    System.out.println("collector peak RSS: " + hwm + " MiB");
    assertTrue(hwm > 0 && hwm < RSS_BOUND_MIB, "peak RSS " + hwm + " MiB, bound " + RSS_BOUND_MIB + " MiB");
  }
}
