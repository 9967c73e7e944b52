package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The restore part of the emulator's Runtime API, driven over loopback HTTP as the runtime client drives it. */
class SnapStartEmulatorTest {
  private static final String RUNTIME = "/2018-06-01/runtime/";
  private RuntimeApiEmulator emu;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception { emu = RuntimeApiEmulator.startSnapStart("snap", "example.SnapStartHooksHandler", 30_000); }

  @AfterEach
  void stop() { emu.close(); }

  private HttpRequest.Builder request(RuntimeApiEmulator e, String rest) {
    return HttpRequest.newBuilder(URI.create("http://" + e.address() + RUNTIME + rest)).timeout(Duration.ofSeconds(10));
  }

  private CompletableFuture<HttpResponse<String>> get(String rest) {
    return http.sendAsync(request(emu, rest).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String rest, String body, String errorType) throws Exception {
    return http.send(request(emu, rest).header("Lambda-Runtime-Function-Error-Type", errorType)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Timeout(60)
  void restoreNextEndsInitAndIsAnsweredForAnInvokeThenTheFirstNextEndsTheRestore() throws Exception {
    CompletableFuture<HttpResponse<String>> restore = get("restore/next");
    long initEnd = emu.initDone().get(30, TimeUnit.SECONDS);
    assertEquals(initEnd, emu.restoreNext().getNow(null), "SnapStart's init ends at /restore/next");
    Thread.sleep(300);
    assertFalse(restore.isDone(), "no invoke queued: the snapshot is not restored yet");
    assertFalse(emu.restoreStart().isDone());

    Invocation inv = emu.enqueue("{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, restore.get(30, TimeUnit.SECONDS).statusCode());
    long restoreStart = emu.restoreStart().get(1, TimeUnit.SECONDS);
    assertTrue(restoreStart - initEnd >= 250_000_000L, "the restore starts when the invoke arrives");
    assertFalse(emu.firstNext().isDone());

    HttpResponse<String> next = get("invocation/next").get(30, TimeUnit.SECONDS);
    assertEquals(inv.requestId, next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow());
    assertTrue(emu.firstNext().get(1, TimeUnit.SECONDS) >= restoreStart, "the first /next ends the restore");

    assertEquals(403, get("restore/next").get(30, TimeUnit.SECONDS).statusCode(), "a second restore/next is refused");
    assertEquals(403, post("restore/error", "{}", "Runtime.AfterRestoreError").statusCode(), "restore/error after the restore");
    assertEquals(403, post("init/error", "{}", "Runtime.BeforeCheckpointError").statusCode(), "init/error after init");
  }

  @Test
  @Timeout(60)
  void restoreErrorCarriesTheRuntimesErrorTypeAndTheHooksException() throws Exception {
    assertEquals(403, post("restore/error", "{}", "Runtime.AfterRestoreError").statusCode(), "no restore/error before the restore");
    CompletableFuture<HttpResponse<String>> restore = get("restore/next");
    emu.enqueue(new byte[0]);
    assertEquals(200, restore.get(30, TimeUnit.SECONDS).statusCode());
    HttpResponse<String> r = post("restore/error",
        "{\"errorMessage\":\"pool closed\",\"errorType\":\"java.lang.IllegalStateException\",\"stackTrace\":[]}", "Runtime.AfterRestoreError");
    assertEquals(202, r.statusCode());
    RuntimeApiEmulator.RestoreError e = emu.restoreError().get(1, TimeUnit.SECONDS);
    assertEquals("Runtime.AfterRestoreError", e.runtimeErrorType());
    assertEquals("java.lang.IllegalStateException", e.errorType());
    assertEquals("pool closed", e.errorMessage());
  }

  @Test
  @Timeout(60)
  void aBeforeCheckpointFailureIsAnInitError() throws Exception {
    HttpResponse<String> r = post("init/error", "{\"errorMessage\":\"no\",\"errorType\":\"com.amazonaws.services.lambda.crac.CheckpointException\"}",
        "Runtime.BeforeCheckpointError");
    assertEquals(202, r.statusCode());
    RuntimeApiEmulator.InitError e = emu.initError().get(1, TimeUnit.SECONDS);
    assertEquals("com.amazonaws.services.lambda.crac.CheckpointException", e.errorType());
    assertEquals("Runtime.BeforeCheckpointError", e.runtimeErrorType());
    assertFalse(emu.initDone().isDone());
  }

  @Test
  @Timeout(60)
  void anOnDemandEnvironmentRefusesRestoreNext() throws Exception {
    try (RuntimeApiEmulator onDemand = RuntimeApiEmulator.start("f", "h", 1000)) {
      HttpResponse<String> r = http.send(request(onDemand, "restore/next").GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, r.statusCode());
      assertTrue(r.body().contains("InvalidStateTransition"), r.body());
      assertFalse(onDemand.initDone().isDone());
    }
  }

  @Test
  @Timeout(60)
  void aRuntimeThatSkipsRestoreNextRestoresNothing() throws Exception {
    emu.enqueue(new byte[0]);
    assertEquals(200, get("invocation/next").get(30, TimeUnit.SECONDS).statusCode());
    long end = emu.firstNext().get(1, TimeUnit.SECONDS);
    assertEquals(end, emu.initDone().get(1, TimeUnit.SECONDS));
    assertEquals(end, emu.restoreStart().get(1, TimeUnit.SECONDS));
  }
}
