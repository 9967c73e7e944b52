package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.trace.TraceSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flush schedule and the intake's circuit breaker, driven as the Runtime API proxy drives them: the runtime asks
 * for the next event (and waits for a due flush), gets an invocation, answers it.
 */
class FlusherBreakerTest {
  static final int BUDGET_MS = 200;
  static final int HELD_BUDGET_MS = 1000;

  private static final class Sandbox implements AutoCloseable {
    final InvocationTracker tracker;
    final Flusher flusher;
    final Thread thread;

    Sandbox(String intakeUrl, String flushStrategy, String... settings) {
      List<String> env = new ArrayList<>(List.of("DD_TRACE_AGENT_URL", intakeUrl, "DDSLS_FLUSH_BUDGET_MS", Integer.toString(BUDGET_MS),
          "DD_SERVERLESS_FLUSH_STRATEGY", flushStrategy, "AWS_LAMBDA_FUNCTION_NAME", "f"));
      env.addAll(List.of(settings));
      AgentConfig config = TestConfig.of(env.toArray(new String[0]));
      Timeline timeline = new Timeline(System.nanoTime(), System.currentTimeMillis() * 1_000_000L);
      tracker = new InvocationTracker(timeline);
      tracker.setTracing(TraceSettings.from(config));
      flusher = new Flusher(config, timeline, tracker);
      tracker.setFlushControl(flusher);
      thread = new Thread(flusher, "ddsls-flush-test");
      thread.setDaemon(true);
      thread.start();
    }

    /** One invocation as the proxy reports it, after the runtime's /next (which waits for a due flush). */
    void invoke() {
      tracker.onNextRequested(System.nanoTime());
      String id = UUID.randomUUID().toString();
      tracker.onInvocation(new InvocationEvent(id, System.currentTimeMillis() + 60_000, "arn:aws:lambda:us-east-1:1:function:f", null,
          null, Map.of(), "{}".getBytes(StandardCharsets.UTF_8), System.nanoTime()));
      tracker.onResponse(id, System.nanoTime(), 2);
    }

    @Override public void close() { flusher.shutdown(100); }
  }

  /** Until the breaker's back-off has run out: the next invocation's flush is a probe. */
  private static void awaitFlushed(Sandbox box) throws InterruptedException {
    for (int i = 0; i < 1000 && box.flusher.flushing(); i++) Thread.sleep(10);
    assertFalse(box.flusher.flushing(), "the flush under way ended");
  }

  private static void awaitProbeDue(Sandbox box) throws InterruptedException {
    for (int i = 0; i < 1000 && !box.flusher.probeDue(); i++) Thread.sleep(10);
    assertTrue(box.flusher.probeDue(), "the back-off ran out");
  }

  @Test
  @Timeout(60)
  void aSilentIntakeMakesOnlyTheFirstInvocationWait() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         Sandbox box = new Sandbox("http://127.0.0.1:" + silent.getLocalPort(), "end")) {
      for (int i = 0; i < 20; i++) box.invoke();
      box.tracker.onNextRequested(System.nanoTime());
      assertEquals(1, box.flusher.waits()[0], "/next calls that waited for a flush: only the cold invocation's");
      assertTrue(box.flusher.intakeDown());
    }
  }

  @Test
  @Timeout(60)
  void whatWasHeldIsSentWhenTheIntakeAnswersAgain() throws Exception {
    AtomicBoolean silent = new AtomicBoolean(true);
    AtomicInteger tracesAccepted = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", x -> {
      x.getRequestBody().readAllBytes();
      if (silent.get()) {
        try {
          Thread.sleep(5 * HELD_BUDGET_MS); // answers after the agent gave up: not accepted
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else if (x.getRequestURI().getPath().equals("/v0.4/traces")) {
        tracesAccepted.addAndGet(Integer.parseInt(x.getRequestHeaders().getFirst("X-Datadog-Trace-Count")));
      }
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    server.start();
    // A budget that an answering intake meets on a loaded machine: a request answered after it would count as failed,
    // be sent again, and its traces counted twice.
    try (Sandbox box = new Sandbox("http://127.0.0.1:" + server.getAddress().getPort(), "end", "DDSLS_FLUSH_BUDGET_MS",
        Integer.toString(HELD_BUDGET_MS))) {
      int invocations = 0;
      for (; invocations < 5; invocations++) box.invoke();
      assertTrue(box.flusher.intakeDown());
      silent.set(false);
      // The probe comes with the first flush after the back-off (1 s): keep the function busy until then.
      for (int i = 0; i < 100 && box.flusher.intakeDown(); i++, invocations++) {
        Thread.sleep(100);
        box.invoke();
      }
      assertFalse(box.flusher.intakeDown(), "the breaker closed once the intake answered");
      box.invoke();
      invocations++;
      box.tracker.onNextRequested(System.nanoTime());
      assertEquals(invocations, tracesAccepted.get(), "every invocation's trace arrived, the held ones included");
    } finally {
      server.stop(0);
    }
  }

  @Test
  @Timeout(60)
  void aSlowIntakeIsWaitedForOnceAndStillGetsEverySpan() throws Exception {
    AtomicInteger tracesAccepted = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", x -> {
      x.getRequestBody().readAllBytes();
      try {
        Thread.sleep(BUDGET_MS / 2); // slower than DDSLS_FLUSH_SLOW_MS, within the budget: every request succeeds
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (x.getRequestURI().getPath().equals("/v0.4/traces")) {
        tracesAccepted.addAndGet(Integer.parseInt(x.getRequestHeaders().getFirst("X-Datadog-Trace-Count")));
      }
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    server.start();
    // Slow (past DDSLS_FLUSH_SLOW_MS) and well within the budget, however loaded the machine: an answer past the budget
    // would count as failed, be sent again and counted twice, and double the back-off.
    try (Sandbox box = new Sandbox("http://127.0.0.1:" + server.getAddress().getPort(), "end", "DDSLS_FLUSH_SLOW_MS",
        Integer.toString(BUDGET_MS / 5), "DDSLS_FLUSH_BUDGET_MS", "10000")) {
      for (int i = 0; i < 20; i++) box.invoke();
      assertEquals(1, box.flusher.waits()[0], "/next calls that waited for a flush: only the cold invocation's");
      assertTrue(box.flusher.intakeDown(), "a slow answer opens the breaker");
      // After the back-off (1 s) the next flush probes with everything held; the intake, still slow, accepts it.
      awaitProbeDue(box);
      box.invoke();
      for (int i = 0; i < 200 && tracesAccepted.get() < 21; i++) Thread.sleep(50);
      assertEquals(21, tracesAccepted.get(), "every invocation's trace arrived, the held ones with the probe");
      // The intake counts before it answers: the probe's slow answer re-arms the back-off after this. Probed before
      // that, an invocation's flush found the old back-off run out, then waited behind the probe and was held.
      awaitFlushed(box);
      assertTrue(box.flusher.intakeDown(), "still slow: invocations still do not wait");
      assertEquals(1, box.flusher.waits()[0]);
      // A slow intake answers: it is probed again after the first back-off, not a doubled one (a growing back-off held
      // spans until the queue overflowed in the agent soak, docs/reliability.md).
      assertEquals(Flusher.FIRST_BACKOFF_MILLIS, box.flusher.backoffMillis(), "the back-off after a slow answer");
      awaitProbeDue(box);
      box.invoke();
      for (int i = 0; i < 200 && tracesAccepted.get() < 22; i++) Thread.sleep(50);
      assertEquals(22, tracesAccepted.get(), "the next probe came one back-off later");
      assertEquals(1, box.flusher.waits()[0]);
    } finally {
      server.stop(0);
    }
  }

  @Test
  @Timeout(60)
  void warmInvocationsOfBusyTrafficDoNotWaitForSpans() throws Exception {
    try (LoopbackIntake intake = new LoopbackIntake(); Sandbox box = new Sandbox(intake.url(), "periodically,60000")) {
      box.invoke();
      // The second /next waits for the cold invocation's flush, unless that has already ended (a fast intake): 0 or 1.
      box.invoke();
      long afterCold = box.flusher.waits()[0];
      assertTrue(afterCold <= 1, "/next calls that waited for the cold flush: " + afterCold);
      for (int i = 0; i < 18; i++) box.invoke();
      box.tracker.onNextRequested(System.nanoTime());
      assertEquals(afterCold, box.flusher.waits()[0], "no warm invocation waited: nothing is due within the period");
      for (int i = 0; i < 100 && intake.traceRequests.get() == 0; i++) Thread.sleep(50);
      assertEquals(1, intake.traceRequests.get(), "the cold invocation's spans were sent, the warm ones held for the period");
    }
  }

  @Test
  void flushStrategies() {
    assertEquals(0, AgentConfig.flushStrategy("end"));
    assertEquals(5000, AgentConfig.flushStrategy("periodically,5000"));
    assertEquals(2000, AgentConfig.flushStrategy(" End, 2000 "));
    assertEquals(AgentConfig.DEFAULT_SPAN_FLUSH_PERIOD_MILLIS, AgentConfig.flushStrategy(null));
    assertEquals(AgentConfig.DEFAULT_SPAN_FLUSH_PERIOD_MILLIS, AgentConfig.flushStrategy("sometimes"));
  }

  /** An intake that answers 200 at once. */
  static final class LoopbackIntake implements AutoCloseable {
    final HttpServer server;
    final AtomicInteger traceRequests = new AtomicInteger();

    LoopbackIntake() throws Exception {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", x -> {
        x.getRequestBody().readAllBytes();
        if (x.getRequestURI().getPath().equals("/v0.4/traces")) traceRequests.incrementAndGet();
        x.sendResponseHeaders(200, -1);
        x.close();
      });
      server.start();
    }

    String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    @Override public void close() { server.stop(0); }
  }
}
