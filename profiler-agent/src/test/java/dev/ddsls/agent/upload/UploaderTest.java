package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.TestConfig;
import dev.ddsls.agent.trace.Invocation;
import dev.ddsls.agent.trace.Span;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.Value;

class UploaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_755_000_000_000_000_000L;
  private static final String KEY = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  private static long in(long millis) { return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis); }

  private static int closedPort() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return ss.getLocalPort();
    }
  }

  private static boolean profile(Uploader u, long start, byte[]... parts) {
    List<Uploader.Attachment> attachments = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) attachments.add(new Uploader.Attachment((i == 0 ? "cpu" : i == 1 ? "wall" : "p" + i) + ".pprof", parts[i]));
    Map<String, Long> endpoints = new LinkedHashMap<>();
    endpoints.put("orders", 2L);
    Map<String, String> info = new LinkedHashMap<>();
    info.put("coldstart.runtimeInit.ms", "760.0");
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("profiler_engine", "async");
    return u.submitProfile(start, start + 60_000_000_000L, attachments, extra, info, endpoints);
  }

  private static JsonNode event(LoopbackServer.Request r) throws Exception {
    List<Multipart.Part> parts = Multipart.parse(r.header("Content-Type"), r.body);
    assertEquals("event", parts.get(0).name());
    return JSON.readTree(parts.get(0).data);
  }

  @Test
  void uploadsAProfileToTheAgentWithDatadogHeaders() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      // DD_API_KEY is set, but an agent is configured: the key is the agent's business, never sent from here.
      AgentConfig config = TestConfig.of("DD_TRACE_AGENT_URL", server.url(), "DD_API_KEY", KEY, "DD_SERVICE", "orders",
          "DD_ENV", "test", "AWS_LAMBDA_FUNCTION_NAME", "orders-fn", "DD_TAGS", "team:pay");
      Uploader u = new Uploader(config);
      byte[] cpu = Gz.gzip("cpu".getBytes(StandardCharsets.UTF_8));
      byte[] wall = Gz.gzip("wall".getBytes(StandardCharsets.UTF_8));
      assertTrue(profile(u, T0, cpu, wall));
      u.flush(in(5000));

      LoopbackServer.Request r = server.take();
      assertEquals("POST", r.method);
      assertEquals("/profiling/v1/input", r.path);
      assertTrue(r.header("Content-Type").startsWith("multipart/form-data; boundary="));
      assertEquals("ddsls-agent", r.header("DD-EVP-ORIGIN"));
      assertTrue(r.header("DD-EVP-ORIGIN-VERSION") != null);
      assertEquals("java", r.header("Datadog-Meta-Lang"));
      assertEquals(System.getProperty("java.version"), r.header("Datadog-Meta-Lang-Version"));
      assertNull(r.header("DD-API-KEY"));

      List<Multipart.Part> parts = Multipart.parse(r.header("Content-Type"), r.body);
      assertEquals(3, parts.size());
      JsonNode e = JSON.readTree(parts.get(0).data);
      assertEquals("[\"cpu.pprof\",\"wall.pprof\"]", e.get("attachments").toString());
      assertEquals(Instant.ofEpochSecond(0, T0), Instant.parse(e.get("start").asText()));
      assertEquals("java", e.get("family").asText());
      assertEquals("4", e.get("version").asText());
      List<String> tags = Arrays.asList(e.get("tags_profiler").asText().split(","));
      assertTrue(tags.containsAll(List.of("service:orders", "env:test", "language:jvm", "functionname:orders-fn", "team:pay",
          "profiler_engine:async", "runtime-id:" + Invocation.runtimeId(), "runtime_version:" + System.getProperty("java.version"),
          "library_version:" + AgentIdentity.AGENT_VERSION)), tags.toString());
      assertTrue(tags.stream().anyMatch(t -> t.startsWith("host:") && t.length() > 5), "a host tag, as Datadog's profilers send: " + tags);
      assertEquals(2, e.get("endpoint_counts").get("orders").asLong());
      assertEquals("760.0", e.get("info").get("ddsls").get("coldstart.runtimeInit.ms").asText());
      assertTrue(Gz.isGzip(parts.get(1).data));
      assertArrayEquals(cpu, parts.get(1).data);
      assertArrayEquals(wall, parts.get(2).data);
      assertEquals(1, u.counters().profilesSent);
      assertEquals(0, u.pendingProfileUploads());
    }
  }

  @Test
  void agentlessSendsTheApiKeyHeaderAndNeverLogsOrWritesIt() throws Exception {
    try (LoopbackServer server = new LoopbackServer(); StderrCapture err = new StderrCapture()) {
      AgentConfig config = TestConfig.of("DD_API_KEY", KEY, "DDSLS_OUTPUT_DIR", dir.toString());
      assertTrue(config.agentless());
      server.scripted.add(200); // spans go first
      server.scripted.add(403);
      Uploader u = new Uploader(config, server.url() + "/api/v2/profile", server.url() + "/v0.4/traces", Uploader.MAX_PROFILE_BODY,
          8, 10_000);
      profile(u, T0, Gz.gzip(new byte[10]));
      u.submitSpans(List.of(TraceEncoderTest.span(1, 0, 2, 0, "aws.lambda")));
      u.flush(in(5000));
      LoopbackServer.Request spans = server.take();
      assertEquals("/v0.4/traces", spans.path);
      assertNull(spans.header("DD-API-KEY"), "the key goes to the profile intake only");
      LoopbackServer.Request p = server.take();
      assertEquals("/api/v2/profile", p.path);
      assertEquals(KEY, p.header("DD-API-KEY"));
      assertEquals(1, u.counters().failures("profile:http-403"));
      assertTrue(err.linesContaining("HTTP 403") == 1, err.text());
      assertFalse(err.text().contains(KEY));
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(KEY), f.toString());
        }
      }
    }
  }

  @Test
  void sendsSpansAsV04Msgpack() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      Span a = TraceEncoderTest.span(10, 0x5L, 1, 0, "aws.lambda");
      Span b = TraceEncoderTest.span(20, 0, 2, 0, "aws.lambda");
      Span c = TraceEncoderTest.span(10, 0x5L, 3, 1, "child");
      assertTrue(u.submitSpans(List.of(a, b)));
      assertTrue(u.submitSpans(List.of(c)));
      u.flush(in(5000));
      LoopbackServer.Request r = server.take();
      assertEquals("PUT", r.method);
      assertEquals("/v0.4/traces", r.path);
      assertEquals("application/msgpack", r.header("Content-Type"));
      assertEquals("2", r.header("X-Datadog-Trace-Count"));
      assertEquals("java", r.header("Datadog-Meta-Lang"));
      assertTrue(r.header("Datadog-Meta-Lang-Version") != null && r.header("Datadog-Meta-Tracer-Version") != null);
      assertEquals("yes", r.header("Datadog-Client-Computed-Top-Level"), "the agent marks top-level spans itself");
      ArrayValue traces = MessagePack.newDefaultUnpacker(r.body).unpackValue().asArrayValue();
      assertEquals(2, traces.size());
      ArrayValue first = traces.get(0).asArrayValue();
      assertEquals(2, first.size(), "spans of one trace travel together");
      Map<String, Value> f0 = TraceEncoderTest.fields(first.get(0));
      assertEquals(1, f0.get("span_id").asIntegerValue().asLong());
      assertEquals("0000000000000005", TraceEncoderTest.fields(f0.get("meta")).get("_dd.p.tid").asStringValue().asString());
      assertEquals(3, TraceEncoderTest.fields(first.get(1)).get("span_id").asIntegerValue().asLong());
      assertEquals(3, u.counters().spansSent);
      assertNull(u.degradedSummary(), "all sent at the first attempt: nothing to say at shutdown");
    }
  }

  @Test
  void writesEveryBatchToTheOutputDirectoryEvenWhenTheNetworkFails() throws Exception {
    Files.writeString(dir.resolve("event-0007.json"), "{}"); // a previous JVM's files are not overwritten
    AgentConfig config = TestConfig.of("DD_TRACE_AGENT_URL", "http://127.0.0.1:" + closedPort(), "DDSLS_OUTPUT_DIR", dir.toString());
    Uploader u = new Uploader(config);
    byte[] cpu = Gz.gzip("cpu".getBytes(StandardCharsets.UTF_8));
    byte[] wall = Gz.gzip("wall".getBytes(StandardCharsets.UTF_8));
    profile(u, T0, cpu, wall);
    profile(u, T0 + 1, cpu);
    Span s = TraceEncoderTest.span(-1L, 0, 2, 0, "aws.lambda");
    u.submitSpans(List.of(s, TraceEncoderTest.span(-1L, 0, 3, 2, "child")));
    u.flush(in(2000));

    assertArrayEquals(cpu, Files.readAllBytes(dir.resolve("profile-0008-cpu.pb.gz")));
    assertArrayEquals(wall, Files.readAllBytes(dir.resolve("profile-0008-wall.pb.gz")));
    assertArrayEquals(cpu, Files.readAllBytes(dir.resolve("profile-0009-cpu.pb.gz")));
    JsonNode e = JSON.readTree(dir.resolve("event-0008.json").toFile());
    assertEquals("[\"cpu.pprof\",\"wall.pprof\"]", e.get("attachments").toString());
    assertEquals("4", e.get("version").asText());
    List<String> lines = Files.readAllLines(dir.resolve("spans-0001.jsonl"));
    assertEquals(2, lines.size());
    assertEquals("18446744073709551615", JSON.readTree(lines.get(0)).get("trace_id").bigIntegerValue().toString());
    assertEquals(3, JSON.readTree(lines.get(1)).get("span_id").asLong());
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void anUnreachableIntakeCostsTheHeldBodiesNoAttemptsTheyWaitForItBounded() throws Exception {
    try (StderrCapture err = new StderrCapture()) {
      String url = "http://127.0.0.1:" + closedPort();
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", url));
      profile(u, T0, Gz.gzip(new byte[1]));
      profile(u, T0 + 1, Gz.gzip(new byte[2]));
      u.submitSpans(List.of(TraceEncoderTest.span(1, 0, 1, 0, "a")));
      u.flush(in(2000));
      UploadCounters c = u.counters();
      assertEquals(1, c.profilesFailed, "refused: the rest waits for the next flush");
      assertEquals(1, c.failures("profile:connect"));
      assertEquals(1, c.spansFailed);
      assertEquals(1, c.failures("spans:connect"));
      assertEquals(2, u.pendingProfileUploads());
      assertEquals(1, u.pendingSpans());

      // No answer says nothing of the bodies: however often the intake is tried while it is down, nothing is dropped
      // (the queues' bounds are what limits what is held).
      for (int i = 0; i < 5; i++) u.flush(in(2000));
      c = u.counters();
      assertEquals(6, c.profilesFailed);
      assertEquals(0, c.profilesDropped);
      assertEquals(6, c.spansFailed);
      assertEquals(0, c.spansDropped);
      assertEquals(2, u.pendingProfileUploads());
      assertEquals(1, u.pendingSpans());
      assertEquals("spans sent=0 dropped=0 unsent=1 failedAttempts=6; profile uploads sent=0 dropped=0 unsent=2 failedAttempts=6; "
          + "failures {spans:connect=6, profile:connect=6}", u.degradedSummary());
      assertEquals(1, err.linesContaining("profile upload to " + url + "/profiling/v1/input failed"), err.text());
      assertEquals(1, err.linesContaining("spans upload to " + url + "/v0.4/traces failed"), err.text());
    }
  }

  @Test
  void spansGoInRequestsOfBoundedSizeAndAFailedOneChargesOnlyWhatItCarried() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      int batches = 5, perBatch = Uploader.SPANS_PER_REQUEST / 2;
      for (int b = 0; b < batches; b++) {
        List<Span> batch = new ArrayList<>();
        for (int i = 0; i < perBatch; i++) batch.add(TraceEncoderTest.span(b * perBatch + i + 1, 0, b * perBatch + i + 1, 0, "s"));
        u.submitSpans(batch);
      }
      server.scripted.add(500); // the first request fails: its two batches are charged, the rest was not tried
      u.flush(in(5000));
      assertEquals(1, server.requests.size(), "a failed request ends the flush");
      assertEquals(Uploader.SPANS_PER_REQUEST, u.counters().spansFailed);
      assertEquals(batches * perBatch, u.pendingSpans());
      u.flush(in(5000));
      assertEquals(0, u.pendingSpans());
      assertEquals(batches * perBatch, u.counters().spansSent);
      assertEquals(0, u.counters().spansDropped);
      assertEquals(4, server.requests.size(), "1,000 + 1,000 + 500 spans after the failed 1,000");
    }
  }

  @Test
  void aSlowEndpointCannotHoldFlushPastItsDeadline() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      server.sleepMillis = 10_000;
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      profile(u, T0, Gz.gzip(new byte[100]));
      u.submitSpans(List.of(TraceEncoderTest.span(1, 0, 1, 0, "a")));
      long t0 = System.nanoTime();
      u.flush(in(500));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8), "flush returned by its deadline");
      UploadCounters c = u.counters();
      assertEquals(1, c.failures("spans:timeout"));
      assertEquals(0, c.profilesSent);
      assertEquals(1, u.pendingProfileUploads(), "not attempted: no time left");
    }
  }

  @Test
  void http500And413AreCountedAndLoggedOnce() throws Exception {
    try (LoopbackServer server = new LoopbackServer(); StderrCapture err = new StderrCapture()) {
      server.status = 500;
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      profile(u, T0, Gz.gzip(new byte[1]));
      profile(u, T0 + 1, Gz.gzip(new byte[2]));
      u.flush(in(5000));
      assertEquals(2, u.counters().failures("profile:http-500"), "a status answer does not stop the flush");
      assertEquals(2, u.pendingProfileUploads(), "5xx: retried once");
      u.flush(in(5000));
      assertEquals(4, u.counters().failures("profile:http-500"));
      assertEquals(2, u.counters().profilesDropped);
      assertEquals(1, err.linesContaining("HTTP 500"), err.text());

      server.status = 413;
      profile(u, T0 + 2, Gz.gzip(new byte[3]));
      profile(u, T0 + 3, Gz.gzip(new byte[4]));
      u.flush(in(5000));
      assertEquals(2, u.counters().failures("profile:http-413"));
      assertEquals(0, u.pendingProfileUploads(), "413 would fail again: dropped at once");
      assertEquals(4, u.counters().profilesDropped);
      assertEquals(1, err.linesContaining("HTTP 413"), err.text());
      assertEquals(6, server.requests.size());
    }
  }

  @Test
  void aFailedUploadSucceedsOnItsRetry() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      server.scripted.add(503);
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      profile(u, T0, Gz.gzip(new byte[1]));
      u.flush(in(5000));
      u.flush(in(5000));
      UploadCounters c = u.counters();
      assertEquals(1, c.profilesFailed);
      assertEquals(1, c.profilesSent);
      assertEquals(0, c.profilesDropped);
      assertEquals(server.take().body.length, server.take().body.length, "the same body again");
    }
  }

  @Test
  void boundedQueuesDropTheOldest() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()), server.url() + "/profiling/v1/input",
          server.url() + "/v0.4/traces", Uploader.MAX_PROFILE_BODY, 3, 5);
      for (int i = 0; i < 5; i++) profile(u, T0 + i * 1_000_000_000L, Gz.gzip(new byte[i + 1]));
      for (int b = 0; b < 3; b++) {
        List<Span> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) batch.add(TraceEncoderTest.span(7, 0, b * 3 + i + 1, 0, "s"));
        u.submitSpans(batch);
      }
      assertEquals(2, u.counters().profilesDropped);
      assertEquals(4, u.counters().spansDropped);
      u.flush(in(5000));

      LoopbackServer.Request spans = server.take();
      ArrayValue trace = MessagePack.newDefaultUnpacker(spans.body).unpackValue().asArrayValue().get(0).asArrayValue();
      List<Long> ids = new ArrayList<>();
      for (Value v : trace) ids.add(TraceEncoderTest.fields(v).get("span_id").asIntegerValue().asLong());
      assertEquals(List.of(5L, 6L, 7L, 8L, 9L), ids);
      for (int i = 2; i < 5; i++) {
        assertEquals(Instant.ofEpochSecond(0, T0 + i * 1_000_000_000L), Instant.parse(event(server.take()).get("start").asText()));
      }
      assertEquals(3, u.counters().profilesSent);
    }
  }

  @Test
  void bodiesStayUnder2MiBBySplittingAndDroppingOversizedAttachments() throws Exception {
    try (LoopbackServer server = new LoopbackServer(); StderrCapture err = new StderrCapture()) {
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      byte[] cpu = Gz.incompressible(1_200_000, 1);
      byte[] wall = Gz.incompressible(1_200_000, 2);
      byte[] huge = Gz.incompressible(2_500_000, 3);
      byte[] small = Gz.gzip(new byte[5]);
      assertTrue(profile(u, T0, cpu, wall, huge, small));
      u.flush(in(10_000));
      LoopbackServer.Request first = server.take();
      LoopbackServer.Request second = server.take();
      assertTrue(first.body.length < Uploader.MAX_PROFILE_BODY && second.body.length < Uploader.MAX_PROFILE_BODY);
      JsonNode e1 = event(first);
      JsonNode e2 = event(second);
      assertEquals("[\"cpu.pprof\"]", e1.get("attachments").toString());
      assertEquals("[\"wall.pprof\",\"p3.pprof\"]", e2.get("attachments").toString());
      assertTrue(e1.has("endpoint_counts") && !e2.has("endpoint_counts"), "endpoint counts are sent once per batch");
      assertArrayEquals(wall, Multipart.parse(second.header("Content-Type"), second.body).get(1).data);
      assertEquals(1, u.counters().attachmentsDropped);
      assertEquals(2, u.counters().profilesSent);
      assertTrue(err.linesContaining("p2.pprof") == 1, err.text());
    }
  }

  @Test
  void rejectsUnsafeAttachmentNamesAndNeverThrows() {
    Uploader u = new Uploader(TestConfig.of());
    assertFalse(u.submitProfile(T0, T0, List.of(new Uploader.Attachment("../x.pprof", new byte[] {1})), null, null, null));
    assertFalse(u.submitProfile(T0, T0, List.of(new Uploader.Attachment("a\".pprof", new byte[] {1})), null, null, null));
    assertFalse(u.submitProfile(T0, T0, List.of(new Uploader.Attachment("event", new byte[] {1})), null, null, null));
    assertFalse(u.submitProfile(T0, T0, List.of(new Uploader.Attachment("a.pprof", null)), null, null, null));
    assertFalse(u.submitProfile(T0, T0, List.of(), null, null, null));
    assertFalse(u.submitProfile(T0, T0, null, null, null, null));
    assertFalse(u.submitSpans(null));
    assertFalse(u.submitSpans(List.of()));
    u.flush(System.nanoTime() - 1);
    assertEquals(0, u.pendingProfileUploads());
  }

  @Test
  void failureKinds() {
    assertEquals(Uploader.Failure.REFUSED, Uploader.Failure.ofStatus(403));
    assertEquals(Uploader.Failure.REFUSED, Uploader.Failure.ofStatus(413));
    for (int status : new int[] {408, 429, 500, 503, 302}) {
      assertEquals(Uploader.Failure.STATUS, Uploader.Failure.ofStatus(status), "status " + status);
      assertTrue(Uploader.Failure.ofStatus(status).retryable());
      assertFalse(Uploader.Failure.ofStatus(status).unreachable());
    }
    assertFalse(Uploader.Failure.REFUSED.retryable());
    for (Uploader.Failure f : new Uploader.Failure[] {Uploader.Failure.CONNECT, Uploader.Failure.TIMEOUT, Uploader.Failure.IO}) {
      assertTrue(f.retryable());
      assertTrue(f.unreachable());
    }
    assertEquals("http-503", Uploader.Failure.STATUS.label(503));
    assertEquals("http-404", Uploader.Failure.REFUSED.label(404));
    assertEquals("connect", Uploader.Failure.CONNECT.label(0));
    assertEquals("timeout", Uploader.Failure.TIMEOUT.label(0));
    assertEquals("io", Uploader.Failure.IO.label(0));
  }
}
