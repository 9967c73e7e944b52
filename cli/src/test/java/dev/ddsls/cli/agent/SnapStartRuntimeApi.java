package dev.ddsls.cli.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Runtime API for the agent's SnapStart tests, on loopback, with the Datadog intake on the same port: it serves
 * what the runtime interface client asks for under {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}
 * ({@code /runtime/restore/next}, held until the test {@link #restore restores}: the snapshot's moment;
 * {@code /runtime/restore/error}), the invocation API, and the extension API's registration. The intake records
 * what arrives and whether it came after the restore; before it, it answers 503 (the intake is down), so that a
 * pre-snapshot upload the agent held back for a retry would show up after the restore.
 */
final class SnapStartRuntimeApi implements AutoCloseable {
  /** One request to the intake. */
  record Received(String path, String contentType, byte[] body, boolean afterRestore) {}

  final List<Received> intake = new CopyOnWriteArrayList<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final CountDownLatch restoreRequested = new CountDownLatch(1);
  final CountDownLatch restoreError = new CountDownLatch(1);
  final List<String> responses = new CopyOnWriteArrayList<>();
  private final CountDownLatch restored = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private volatile boolean afterRestore;

  SnapStartRuntimeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  String address() { return "127.0.0.1:" + server.getAddress().getPort(); }

  /** An event for the next {@code /invocation/next}. */
  void queue(String eventJson) { events.add(eventJson); }

  /** Lets {@code /restore/next} return: from now on the function runs in a "restored copy". */
  void restore() {
    afterRestore = true;
    restored.countDown();
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    String method = x.getRequestMethod();
    byte[] body = x.getRequestBody().readAllBytes();
    calls.add(method + " " + path);
    try {
      if (path.equals("/v0.4/traces") || path.equals("/profiling/v1/input")) {
        boolean after = afterRestore;
        intake.add(new Received(path, x.getRequestHeaders().getFirst("Content-Type"), body, after));
        answer(x, after ? 200 : 503, "{}");
      } else if (path.equals("/2020-01-01/extension/register")) {
        x.getResponseHeaders().add("Lambda-Extension-Identifier", UUID.randomUUID().toString());
        answer(x, 200, "{}");
      } else if (path.equals("/2020-01-01/extension/event/next")) {
        closing.await(); // the agent's extension only needs its registration
        answer(x, 200, "{\"eventType\":\"SHUTDOWN\"}");
      } else if (path.equals("/2018-06-01/runtime/restore/next")) {
        restoreRequested.countDown();
        if (!restored.await(120, TimeUnit.SECONDS)) answer(x, 500, "{}");
        else answer(x, 200, "");
      } else if (path.equals("/2018-06-01/runtime/restore/error")) {
        restoreError.countDown();
        answer(x, 202, "{\"status\":\"OK\"}");
      } else if (path.equals("/2018-06-01/runtime/invocation/next")) {
        String event = null;
        while (event == null && closing.getCount() > 0) event = events.poll(100, TimeUnit.MILLISECONDS);
        if (event == null) return;
        String id = UUID.randomUUID().toString();
        x.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", id);
        x.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
        x.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:probe");
        x.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        answer(x, 200, event);
      } else if (path.startsWith("/2018-06-01/runtime/invocation/") && path.endsWith("/response")) {
        responses.add(new String(body, StandardCharsets.UTF_8));
        answer(x, 202, "{\"status\":\"OK\"}");
      } else if (path.startsWith("/2018-06-01/runtime/")) {
        answer(x, 202, "{\"status\":\"OK\"}");
      } else {
        answer(x, 404, "{}");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) x.getResponseBody().write(b);
    x.close();
  }

  @Override public void close() {
    closing.countDown();
    restored.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
