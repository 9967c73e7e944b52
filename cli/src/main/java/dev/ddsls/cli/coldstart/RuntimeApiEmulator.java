package dev.ddsls.cli.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback Lambda control plane for one execution environment: the Runtime API (2018-06-01) the runtime
 * interface client polls, the Extensions API (2020-01-01) enough for an internal extension, and a sink for the
 * agent's trace (/v0.4/traces) and profile (/profiling/v1/input) uploads, which are counted, not stored.
 * It records System.nanoTime at the moments a cold start is measured by: the first {@code /next} (end of init),
 * each hand-out and each response or error; and, for Lambda's billed Duration, each ask for the next event after a
 * hand-out: the runtime's {@code /next} after its response or error, and each INVOKE extension's {@code event/next}
 * after it was handed that invocation's event (see {@link Invocation#durationEnd()}).
 *
 * <p>For a SnapStart environment ({@link #startSnapStart}) it also serves the restore part of the Runtime API: the
 * runtime's {@code GET /runtime/restore/next} ends the snapshot's init (Lambda would take the snapshot while it waits);
 * the emulator answers it once an invocation is queued (Lambda restores for an invoke), which starts the restore; the
 * runtime's first {@code /invocation/next} ends it. {@code POST /runtime/restore/error} (an afterRestore hook failed)
 * is recorded. The restore runs in the same process: no memory snapshot is taken or loaded.
 */
public final class RuntimeApiEmulator implements AutoCloseable {
  static final String RUNTIME = "/2018-06-01/runtime/";
  static final String EXTENSION = "/2020-01-01/extension/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long POLL_MILLIS = 100;

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and the client's
    // delayed ACK add ~40 ms to every answer, which would show up as invocation time. Read once, at class init of
    // the server's configuration, so it is set before the first server is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** Upload requests the agent sent, by kind, and their body bytes. */
  public record Uploads(int traces, int profiles, long bytes) {}

  /**
   * The runtime's {@code /init/error}: type and message from its body (or headers), and the Runtime API error type of
   * its {@code Lambda-Runtime-Function-Error-Type} header (e.g. {@code Runtime.BeforeCheckpointError}), or null.
   */
  public record InitError(long nanos, String errorType, String errorMessage, String runtimeErrorType) {}

  /**
   * The runtime's {@code /restore/error}: the Runtime API error type it declared in the
   * {@code Lambda-Runtime-Function-Error-Type} header (the runtime client's {@code Runtime.AfterRestoreError}), and the
   * exception's type and message from the body.
   */
  public record RestoreError(long nanos, String runtimeErrorType, String errorType, String errorMessage) {}

  private final String functionName;
  private final String handler;
  private final long invocationTimeoutMillis;
  private final boolean snapStart;
  private final HttpServer server;
  private final ExecutorService executor;
  private final BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
  private final Map<String, Invocation> byId = new ConcurrentHashMap<>();
  private final List<Extension> extensions = new CopyOnWriteArrayList<>();
  /** The invocation handed to the runtime whose {@code /next} has not come since (one runtime: at most one). */
  private final AtomicReference<Invocation> runtimeOwes = new AtomicReference<>();
  private final CompletableFuture<Long> firstNext = new CompletableFuture<>();
  private final CompletableFuture<InitError> initError = new CompletableFuture<>();
  private final CompletableFuture<Long> restoreNext = new CompletableFuture<>();
  private final CompletableFuture<Long> restoreStart = new CompletableFuture<>();
  private final CompletableFuture<RestoreError> restoreError = new CompletableFuture<>();
  /** Completes when the first invocation is queued: a SnapStart environment is restored for an invoke. */
  private final CompletableFuture<Void> firstQueued = new CompletableFuture<>();
  private final AtomicInteger traces = new AtomicInteger();
  private final AtomicInteger profiles = new AtomicInteger();
  private final AtomicLong uploadBytes = new AtomicLong();
  private volatile long processStartNanos;
  private volatile boolean closed;

  /** An extension event and the invocation it belongs to (null for SHUTDOWN). */
  private record Event(byte[] body, Invocation invocation) {}

  private static final class Extension {
    final String id = UUID.randomUUID().toString();
    final String name;
    final boolean invoke;
    final boolean shutdown;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** The invocation whose INVOKE event this extension was handed and that it has not asked past yet. */
    volatile Invocation owes;

    Extension(String name, boolean invoke, boolean shutdown) {
      this.name = name;
      this.invoke = invoke;
      this.shutdown = shutdown;
    }
  }

  private RuntimeApiEmulator(String functionName, String handler, long invocationTimeoutMillis, boolean snapStart)
      throws IOException {
    this.functionName = functionName;
    this.handler = handler;
    this.invocationTimeoutMillis = invocationTimeoutMillis;
    this.snapStart = snapStart;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    // Cached threads: a /next poll blocks its thread until an invocation is queued.
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "ddsls-runtime-api");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts an emulator on 127.0.0.1 and an ephemeral port. */
  public static RuntimeApiEmulator start(String functionName, String handler, long invocationTimeoutMillis) throws IOException {
    return new RuntimeApiEmulator(functionName, handler, invocationTimeoutMillis, false);
  }

  /** Starts an emulator for a SnapStart environment: it serves {@code /restore/next} and {@code /restore/error}. */
  public static RuntimeApiEmulator startSnapStart(String functionName, String handler, long invocationTimeoutMillis)
      throws IOException {
    return new RuntimeApiEmulator(functionName, handler, invocationTimeoutMillis, true);
  }

  public boolean snapStart() { return snapStart; }

  public int port() { return server.getAddress().getPort(); }

  /** The value for AWS_LAMBDA_RUNTIME_API. */
  public String address() { return "127.0.0.1:" + port(); }

  public String functionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:" + functionName; }

  /** Set by the caller just before it starts the runtime process. */
  public void markProcessStart(long nanos) { processStartNanos = nanos; }

  public long processStartNanos() { return processStartNanos; }

  /** Completes with the System.nanoTime of the runtime's first {@code /next}: the end of init. */
  public CompletableFuture<Long> firstNext() { return firstNext; }

  /** Completes when the runtime posts {@code /init/error}. */
  public CompletableFuture<InitError> initError() { return initError; }

  /**
   * Completes with the System.nanoTime at which init ended: the runtime's first {@code /next}, or for SnapStart its
   * {@code /restore/next} (the snapshot's init).
   */
  public CompletableFuture<Long> initDone() { return snapStart ? restoreNext : firstNext; }

  /** SnapStart: completes with the System.nanoTime of the runtime's {@code /restore/next}. */
  public CompletableFuture<Long> restoreNext() { return restoreNext; }

  /** SnapStart: completes with the System.nanoTime at which {@code /restore/next} was answered: the restore starts. */
  public CompletableFuture<Long> restoreStart() { return restoreStart; }

  /** SnapStart: completes when the runtime posts {@code /restore/error}. */
  public CompletableFuture<RestoreError> restoreError() { return restoreError; }

  /** Queues an invocation; the runtime receives it on its next {@code /next}. */
  public Invocation enqueue(byte[] event) {
    Invocation inv = new Invocation(event);
    byId.put(inv.requestId, inv);
    queue.add(inv);
    firstQueued.complete(null);
    return inv;
  }

  /**
   * Sends SHUTDOWN (SPINDOWN) to the extensions registered for it. True when the shutdown is a graceful one: Lambda
   * sends the runtime SIGTERM only when an extension (internal or external) is registered, and otherwise ends the
   * environment without one.
   */
  public boolean shutdown() {
    long deadline = System.currentTimeMillis() + 2000;
    byte[] event = ("{\"eventType\":\"SHUTDOWN\",\"shutdownReason\":\"SPINDOWN\",\"deadlineMs\":" + deadline + "}")
        .getBytes(StandardCharsets.UTF_8);
    for (Extension e : extensions) {
      if (e.shutdown) e.events.add(new Event(event, null));
    }
    return !extensions.isEmpty();
  }

  public Uploads uploads() { return new Uploads(traces.get(), profiles.get(), uploadBytes.get()); }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      byte[] body = readBody(ex.getRequestBody());
      if (path.startsWith(RUNTIME)) runtime(ex, method, path.substring(RUNTIME.length()), body);
      else if (path.startsWith(EXTENSION)) extension(ex, method, path.substring(EXTENSION.length()), body);
      else if (path.equals("/v0.4/traces") && (method.equals("POST") || method.equals("PUT"))) {
        traces.incrementAndGet();
        uploadBytes.addAndGet(body.length);
        send(ex, 200, "{\"rate_by_service\":{}}");
      } else if (path.equals("/profiling/v1/input") && method.equals("POST")) {
        profiles.incrementAndGet();
        uploadBytes.addAndGet(body.length);
        send(ex, 200, "{}");
      } else {
        error(ex, 404, "NotFound", method + " " + path + " is not emulated");
      }
    } catch (IOException | RuntimeException e) {
      // The peer went away (process killed, emulator closing): nothing to answer.
    } finally {
      ex.close();
    }
  }

  private void runtime(HttpExchange ex, String method, String rest, byte[] body) throws IOException {
    if (method.equals("GET") && rest.equals("invocation/next")) {
      next(ex);
    } else if (method.equals("GET") && rest.equals("restore/next")) {
      restoreNext(ex);
    } else if (method.equals("POST") && rest.equals("restore/error")) {
      if (!restoreStart.isDone() || firstNext.isDone()) {
        error(ex, 403, "InvalidStateTransition", "restore/error outside the restore (after /restore/next, before the first /next)");
        return;
      }
      String[] te = errorOf(ex, body);
      restoreError.complete(new RestoreError(System.nanoTime(), ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"),
          te[0], te[1]));
      send(ex, 202, "{\"status\":\"OK\"}");
    } else if (method.equals("POST") && rest.equals("init/error")) {
      if (firstNext.isDone() || restoreNext.isDone()) {
        error(ex, 403, "InvalidStateTransition", "init/error after init ended (the first /next or /restore/next)");
        return;
      }
      String[] te = errorOf(ex, body);
      initError.complete(new InitError(System.nanoTime(), te[0], te[1], ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type")));
      send(ex, 202, "{\"status\":\"OK\"}");
    } else if (method.equals("POST") && rest.startsWith("invocation/")
        && (rest.endsWith("/response") || rest.endsWith("/error"))) {
      long now = System.nanoTime();
      boolean isError = rest.endsWith("/error");
      String id = rest.substring("invocation/".length(), rest.lastIndexOf('/'));
      Invocation inv = byId.get(id);
      if (inv == null || !inv.handedOut.isDone()) {
        error(ex, 400, "InvalidRequestID", "unknown request id " + id);
        return;
      }
      String[] te = isError ? errorOf(ex, body) : new String[2];
      if (!inv.outcome.complete(new Invocation.Outcome(now, isError, body, te[0], te[1]))) {
        error(ex, 400, "InvalidStateTransition", "request " + id + " was already answered");
        return;
      }
      send(ex, 202, "{\"status\":\"OK\"}");
    } else {
      error(ex, 404, "NotFound", method + " " + RUNTIME + rest + " is not emulated");
    }
  }

  /**
   * SnapStart: the snapshot's init has ended. Lambda takes the snapshot now and restores it for an invoke; here the
   * answer waits for the first queued invocation, then the restore starts (the afterRestore hooks run next).
   */
  private void restoreNext(HttpExchange ex) throws IOException {
    long asked = System.nanoTime();
    if (!snapStart) {
      error(ex, 403, "InvalidStateTransition", "restore/next outside a SnapStart init (AWS_LAMBDA_INITIALIZATION_TYPE is not snap-start)");
      return;
    }
    if (firstNext.isDone() || !restoreNext.complete(asked)) {
      error(ex, 403, "InvalidStateTransition", "restore/next asked twice or after the first /next");
      return;
    }
    while (!closed) {
      try {
        firstQueued.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        break;
      } catch (TimeoutException e) {
        // keep waiting for an invoke
      } catch (InterruptedException | ExecutionException e) {
        return;
      }
    }
    if (closed) return;
    restoreStart.complete(System.nanoTime());
    ex.sendResponseHeaders(200, -1);
  }

  private void next(HttpExchange ex) throws IOException {
    long asked = System.nanoTime();
    if (snapStart && !restoreNext.isDone()) {
      // A runtime that does not know SnapStart asks for an invocation straight away: nothing to restore.
      restoreNext.complete(asked);
      restoreStart.complete(asked);
    }
    firstNext.complete(asked);
    // The runtime's part of the previous invocation ends here (with the agent, once its proxy lets /next through).
    // A /next before the response or error would be a broken runtime; it does not end the part.
    Invocation owed = runtimeOwes.get();
    if (owed != null && owed.outcome.isDone() && runtimeOwes.compareAndSet(owed, null)) owed.asked(asked);
    Invocation inv = null;
    while (inv == null && !closed) {
      try {
        inv = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
    }
    if (inv == null) return;
    long now = System.nanoTime();
    long deadline = System.currentTimeMillis() + invocationTimeoutMillis;
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", inv.requestId);
    ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
    ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", functionArn());
    ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id", inv.traceHeader);
    // Extensions see the invocation when the runtime does; each of them, and the runtime, owes an ask for the next
    // event before the invocation's Duration ends.
    List<Extension> invoked = extensions.stream().filter(e -> e.invoke).toList();
    inv.expectAsks(1 + invoked.size());
    runtimeOwes.set(inv);
    for (Extension e : invoked) e.events.add(new Event(invokeEvent(inv, deadline), inv));
    inv.handedOut.complete(now);
    ex.sendResponseHeaders(200, inv.event.length == 0 ? -1 : inv.event.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(inv.event);
    }
  }

  private byte[] invokeEvent(Invocation inv, long deadline) {
    ObjectNode n = JSON.createObjectNode();
    n.put("eventType", "INVOKE");
    n.put("deadlineMs", deadline);
    n.put("requestId", inv.requestId);
    n.put("invokedFunctionArn", functionArn());
    ObjectNode tracing = n.putObject("tracing");
    tracing.put("type", "X-Amzn-Trace-Id");
    tracing.put("value", inv.traceHeader);
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void extension(HttpExchange ex, String method, String rest, byte[] body) throws IOException {
    if (method.equals("POST") && rest.equals("register")) {
      String name = ex.getRequestHeaders().getFirst("Lambda-Extension-Name");
      if (name == null || name.isBlank()) {
        error(ex, 400, "InvalidRequest", "missing Lambda-Extension-Name");
        return;
      }
      boolean invoke = false;
      boolean shutdown = false;
      try {
        for (JsonNode e : JSON.readTree(body).path("events")) {
          invoke |= "INVOKE".equals(e.asText());
          shutdown |= "SHUTDOWN".equals(e.asText());
        }
      } catch (IOException e) {
        error(ex, 400, "InvalidRequest", "register body is not JSON");
        return;
      }
      Extension e = new Extension(name, invoke, shutdown);
      extensions.add(e);
      ex.getResponseHeaders().add("Lambda-Extension-Identifier", e.id);
      ObjectNode n = JSON.createObjectNode();
      n.put("functionName", functionName);
      n.put("functionVersion", "$LATEST");
      n.put("handler", handler);
      send(ex, 200, n.toString());
    } else if (method.equals("GET") && rest.equals("event/next")) {
      Extension e = extensionOf(ex);
      if (e == null) return;
      Invocation owed = e.owes;
      if (owed != null) {
        e.owes = null;
        owed.asked(System.nanoTime());
      }
      Event event = null;
      while (event == null && !closed) {
        try {
          event = e.events.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          return;
        }
      }
      if (event == null) return;
      e.owes = event.invocation();
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.getResponseHeaders().add("Lambda-Extension-Event-Identifier", UUID.randomUUID().toString());
      ex.sendResponseHeaders(200, event.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(event.body());
      }
    } else if (method.equals("POST") && (rest.equals("init/error") || rest.equals("exit/error"))) {
      if (extensionOf(ex) == null) return;
      send(ex, 202, "{\"status\":\"OK\"}");
    } else {
      error(ex, 404, "NotFound", method + " " + EXTENSION + rest + " is not emulated");
    }
  }

  private Extension extensionOf(HttpExchange ex) throws IOException {
    String id = ex.getRequestHeaders().getFirst("Lambda-Extension-Identifier");
    for (Extension e : extensions) {
      if (e.id.equals(id)) return e;
    }
    error(ex, 403, "Extension.UnknownExtensionIdentifier", "unknown Lambda-Extension-Identifier");
    return null;
  }

  /** errorType and errorMessage of an error post: from the JSON body, else the header and the raw body. */
  private static String[] errorOf(HttpExchange ex, byte[] body) {
    String type = ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
    String message = null;
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.isObject()) {
        if (n.hasNonNull("errorType")) type = n.get("errorType").asText();
        if (n.hasNonNull("errorMessage")) message = n.get("errorMessage").asText();
      }
    } catch (IOException notJson) {
      // fall through to the raw body
    }
    if (message == null && body.length > 0) {
      String raw = new String(body, StandardCharsets.UTF_8);
      message = raw.length() > 500 ? raw.substring(0, 500) + "..." : raw;
    }
    return new String[] {type, message};
  }

  private static byte[] readBody(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("errorMessage", message);
    n.put("errorType", type);
    send(ex, status, n.toString());
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
