package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RuntimeApiEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern XRAY = Pattern.compile("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1");

  private RuntimeApiEmulator emu;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    emu = RuntimeApiEmulator.start("hello", "example.HelloHandler", 30_000);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() { emu.close(); }

  private URI uri(String path) { return URI.create("http://" + emu.address() + path); }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (headers.length > 0) b.headers(headers);
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void nextBlocksUntilAnInvocationIsQueuedThenHandsItOutWithLambdaHeaders() throws Exception {
    CompletableFuture<HttpResponse<String>> next = getAsync("/2018-06-01/runtime/invocation/next");
    Long first = emu.firstNext().get(30, TimeUnit.SECONDS);
    assertNotNull(first);
    assertThrows(TimeoutException.class, () -> next.get(300, TimeUnit.MILLISECONDS), "next must wait for an invocation");

    long before = System.currentTimeMillis();
    Invocation inv = emu.enqueue("{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = next.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals("{\"name\":\"Ada\"}", r.body());
    assertEquals(inv.requestId, r.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow());
    assertEquals("arn:aws:lambda:us-east-1:123456789012:function:hello",
        r.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn").orElseThrow());
    long deadline = Long.parseLong(r.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElseThrow());
    assertTrue(deadline >= before + 30_000, "deadline is the timeout after hand-out");
    String trace = r.headers().firstValue("Lambda-Runtime-Trace-Id").orElseThrow();
    assertTrue(XRAY.matcher(trace).matches(), trace);
    assertEquals(inv.traceHeader, trace);
    assertTrue(inv.handedOut().isDone());
    assertTrue(inv.handedOut().get() >= first, "hand-out after the first /next");
  }

  @Test
  void everyInvocationGetsAFreshTraceHeaderAndRequestId() throws Exception {
    Invocation a = emu.enqueue(new byte[0]);
    Invocation b = emu.enqueue(new byte[0]);
    HttpResponse<String> ra = get("/2018-06-01/runtime/invocation/next");
    send("POST", "/2018-06-01/runtime/invocation/" + a.requestId + "/response", "1");
    HttpResponse<String> rb = get("/2018-06-01/runtime/invocation/next");
    assertEquals(a.requestId, ra.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow());
    assertEquals(b.requestId, rb.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow());
    assertFalse(a.requestId.equals(b.requestId));
    assertFalse(a.traceHeader.equals(b.traceHeader));
    assertTrue(XRAY.matcher(b.traceHeader).matches(), b.traceHeader);
  }

  @Test
  void responseCompletesTheInvocationOnce() throws Exception {
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    get("/2018-06-01/runtime/invocation/next");
    HttpResponse<String> r = send("POST", "/2018-06-01/runtime/invocation/" + inv.requestId + "/response", "\"hello Ada\"");
    assertEquals(202, r.statusCode());
    Invocation.Outcome o = inv.outcome().get(30, TimeUnit.SECONDS);
    assertFalse(o.error());
    assertArrayEquals("\"hello Ada\"".getBytes(StandardCharsets.UTF_8), o.body());
    assertTrue(o.nanos() >= inv.handedOut().get());

    assertEquals(400, send("POST", "/2018-06-01/runtime/invocation/" + inv.requestId + "/response", "again").statusCode());
    assertEquals(400, send("POST", "/2018-06-01/runtime/invocation/no-such-id/response", "x").statusCode());
  }

  @Test
  void anInvocationNotYetHandedOutCannotBeAnswered() throws Exception {
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, send("POST", "/2018-06-01/runtime/invocation/" + inv.requestId + "/response", "x").statusCode());
    assertFalse(inv.outcome().isDone());
  }

  @Test
  void invocationErrorCarriesTypeAndMessage() throws Exception {
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    get("/2018-06-01/runtime/invocation/next");
    String body = "{\"errorMessage\":\"order id is missing\",\"errorType\":\"java.lang.IllegalArgumentException\",\"stackTrace\":[]}";
    HttpResponse<String> r = send("POST", "/2018-06-01/runtime/invocation/" + inv.requestId + "/error", body,
        "Lambda-Runtime-Function-Error-Type", "Runtime.UnknownReason");
    assertEquals(202, r.statusCode());
    Invocation.Outcome o = inv.outcome().get(30, TimeUnit.SECONDS);
    assertTrue(o.error());
    assertEquals("java.lang.IllegalArgumentException", o.errorType());
    assertEquals("order id is missing", o.errorMessage());
  }

  @Test
  void errorWithoutJsonBodyFallsBackToHeaderAndRawBody() throws Exception {
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    get("/2018-06-01/runtime/invocation/next");
    send("POST", "/2018-06-01/runtime/invocation/" + inv.requestId + "/error", "it broke",
        "Lambda-Runtime-Function-Error-Type", "Runtime.Custom");
    Invocation.Outcome o = inv.outcome().get(30, TimeUnit.SECONDS);
    assertEquals("Runtime.Custom", o.errorType());
    assertEquals("it broke", o.errorMessage());
  }

  @Test
  void initErrorIsRecordedBeforeTheFirstNextAndRefusedAfter() throws Exception {
    String body = "{\"errorMessage\":\"Error loading class example.BrokenInitHandler\",\"errorType\":\"java.lang.ExceptionInInitializerError\"}";
    HttpResponse<String> r = send("POST", "/2018-06-01/runtime/init/error", body,
        "Lambda-Runtime-Function-Error-Type", "Runtime.BadFunctionCode");
    assertEquals(202, r.statusCode());
    RuntimeApiEmulator.InitError e = emu.initError().get(30, TimeUnit.SECONDS);
    assertEquals("java.lang.ExceptionInInitializerError", e.errorType());
    assertEquals("Error loading class example.BrokenInitHandler", e.errorMessage());

    try (RuntimeApiEmulator other = RuntimeApiEmulator.start("f", "h", 1000)) {
      other.enqueue(new byte[0]);
      HttpClient c = HttpClient.newHttpClient();
      c.send(HttpRequest.newBuilder(URI.create("http://" + other.address() + "/2018-06-01/runtime/invocation/next")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> late = c.send(HttpRequest.newBuilder(URI.create("http://" + other.address() + "/2018-06-01/runtime/init/error"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, late.statusCode());
      assertFalse(other.initError().isDone());
    }
  }

  @Test
  void internalExtensionRegistersAndReceivesInvokeThenShutdown() throws Exception {
    HttpResponse<String> reg = send("POST", "/2020-01-01/extension/register", "{\"events\":[\"INVOKE\",\"SHUTDOWN\"]}",
        "Lambda-Extension-Name", "ddsls-agent");
    assertEquals(200, reg.statusCode());
    String id = reg.headers().firstValue("Lambda-Extension-Identifier").orElseThrow();
    assertEquals("hello", JSON.readTree(reg.body()).get("functionName").asText());

    CompletableFuture<HttpResponse<String>> ev = getAsync("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", id);
    assertThrows(TimeoutException.class, () -> ev.get(300, TimeUnit.MILLISECONDS), "event/next must wait for an event");
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    get("/2018-06-01/runtime/invocation/next");
    JsonNode invoke = JSON.readTree(ev.get(30, TimeUnit.SECONDS).body());
    assertEquals("INVOKE", invoke.get("eventType").asText());
    assertEquals(inv.requestId, invoke.get("requestId").asText());
    assertEquals(inv.traceHeader, invoke.path("tracing").path("value").asText());
    assertEquals("X-Amzn-Trace-Id", invoke.path("tracing").path("type").asText());
    assertTrue(invoke.get("deadlineMs").asLong() > 0);

    assertTrue(emu.shutdown(), "graceful: the runtime gets SIGTERM where an extension is registered");
    JsonNode shutdown = JSON.readTree(get("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", id).body());
    assertEquals("SHUTDOWN", shutdown.get("eventType").asText());
    assertEquals("SPINDOWN", shutdown.get("shutdownReason").asText());

    assertEquals(403, get("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", "nobody").statusCode());
    assertEquals(400, send("POST", "/2020-01-01/extension/register", "{\"events\":[]}").statusCode());
  }

  @Test
  void withoutExtensionsTheShutdownIsNoGracefulOne() {
    assertFalse(emu.shutdown(), "Lambda sends no SIGTERM where no extension is registered");
  }

  @Test
  void extensionRegisteredOnlyForInvokeGetsNoShutdown() throws Exception {
    String id = send("POST", "/2020-01-01/extension/register", "{\"events\":[\"INVOKE\"]}", "Lambda-Extension-Name", "x")
        .headers().firstValue("Lambda-Extension-Identifier").orElseThrow();
    emu.shutdown();
    CompletableFuture<HttpResponse<String>> ev = getAsync("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", id);
    assertThrows(TimeoutException.class, () -> ev.get(300, TimeUnit.MILLISECONDS));
  }

  @Test
  @Timeout(60)
  void durationEndsWithTheLastAskOfTheRuntimeAndTheInvokeExtensions() throws Exception {
    String id = send("POST", "/2020-01-01/extension/register", "{\"events\":[\"INVOKE\"]}", "Lambda-Extension-Name", "slow")
        .headers().firstValue("Lambda-Extension-Identifier").orElseThrow();
    CompletableFuture<HttpResponse<String>> invoke = getAsync("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", id);
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    get("/2018-06-01/runtime/invocation/next");
    assertEquals("INVOKE", JSON.readTree(invoke.get(30, TimeUnit.SECONDS).body()).get("eventType").asText());
    send("POST", "/2018-06-01/runtime/invocation/" + inv.requestId + "/response", "1");
    long response = inv.outcome().get(30, TimeUnit.SECONDS).nanos();

    CompletableFuture<HttpResponse<String>> runtimeNext = getAsync("/2018-06-01/runtime/invocation/next"); // the runtime is done
    assertThrows(TimeoutException.class, () -> inv.durationEnd().get(300, TimeUnit.MILLISECONDS),
        "the Duration goes on while a registered extension has not asked for its next event");
    long beforeAsk = System.nanoTime();
    CompletableFuture<HttpResponse<String>> extensionNext = getAsync("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", id);
    long end = inv.durationEnd().get(30, TimeUnit.SECONDS);
    assertTrue(end >= beforeAsk, "ended by the extension's ask");
    assertTrue(end - response >= 300_000_000L, "post-runtime part covers the extension's 300 ms");

    // Next invocation: the extension asks at once, the runtime 200 ms after its response; the runtime's ask ends it.
    Invocation second = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(second.requestId, runtimeNext.get(30, TimeUnit.SECONDS).headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow());
    assertEquals(second.requestId, JSON.readTree(extensionNext.get(30, TimeUnit.SECONDS).body()).get("requestId").asText());
    getAsync("/2020-01-01/extension/event/next", "Lambda-Extension-Identifier", id);
    send("POST", "/2018-06-01/runtime/invocation/" + second.requestId + "/response", "2");
    Thread.sleep(200);
    assertFalse(second.durationEnd().isDone(), "the runtime has not asked yet");
    long beforeNext = System.nanoTime();
    getAsync("/2018-06-01/runtime/invocation/next");
    assertTrue(second.durationEnd().get(30, TimeUnit.SECONDS) >= beforeNext, "ended by the runtime's ask");
  }

  @Test
  @Timeout(60)
  void aNextBeforeTheResponseDoesNotEndTheDuration() throws Exception {
    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    get("/2018-06-01/runtime/invocation/next");
    getAsync("/2018-06-01/runtime/invocation/next");
    assertThrows(TimeoutException.class, () -> inv.durationEnd().get(300, TimeUnit.MILLISECONDS));
  }

  @Test
  void agentUploadsAreAnsweredAndCounted() throws Exception {
    HttpResponse<String> t1 = send("PUT", "/v0.4/traces", "0123456789");
    HttpResponse<String> t2 = send("POST", "/v0.4/traces", "01234");
    HttpResponse<String> p = send("POST", "/profiling/v1/input", "pprof-bytes");
    assertEquals(200, t1.statusCode());
    assertEquals("{}", JSON.readTree(t1.body()).get("rate_by_service").toString());
    assertEquals(200, t2.statusCode());
    assertEquals(200, p.statusCode());
    assertEquals(404, send("POST", "/v0.7/config", "x").statusCode());
    RuntimeApiEmulator.Uploads u = emu.uploads();
    assertEquals(2, u.traces());
    assertEquals(1, u.profiles());
    assertEquals(10 + 5 + 11, u.bytes());
  }

  @Test
  void closeReleasesAWaitingNext() throws Exception {
    CompletableFuture<HttpResponse<String>> next = getAsync("/2018-06-01/runtime/invocation/next");
    emu.firstNext().get(30, TimeUnit.SECONDS);
    emu.close();
    // The poll ends without an answer: the request completes (with an error) instead of hanging.
    try {
      next.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException expected) {
      // connection closed without a response
    }
    assertTrue(next.isDone());
  }
}
