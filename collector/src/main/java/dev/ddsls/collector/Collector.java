package dev.ddsls.collector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The running collector: an HTTP server on a bounded pool, the store, the counters and the retention job. */
public final class Collector implements AutoCloseable {
  static final List<String> ENDPOINTS = List.of("/v0.3/traces", "/v0.4/traces", "/v0.5/traces", "/profiling/v1/input",
      "/info", "/ddsls/v1/spans", "/ddsls/v1/profiles", "/ddsls/v1/profiles/{id}/{attachment}");
  /** Handler threads: each may hold one body of up to --max-body in memory. */
  static final int THREADS = 4;

  private final Store store;
  private final Counters counters;
  private final Retention retention;
  private final HttpServer server;
  private final ThreadPoolExecutor pool;
  private final ScheduledExecutorService timer;
  private final byte[] token;
  private final IntakeApi intake;
  private final ReadApi read;
  private final String version;
  private final long intervalMillis;

  public Collector(Store store, InetSocketAddress address, String token, long maxBody, Retention retention, long intervalMillis,
      PrintStream out) throws IOException {
    this.intervalMillis = intervalMillis;
    this.store = store;
    this.counters = new Counters(out);
    this.retention = retention;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    List<ProfileSpanIndexer> indexers = List.of(new PprofSpanIndexer(), new JfrSpanIndexer());
    this.intake = new IntakeApi(store, counters, indexers, maxBody);
    this.read = new ReadApi(store);
    String v = Collector.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
    // A full queue makes the accepting thread run the request itself: back-pressure instead of dropped requests.
    pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
        r -> daemon(r, "ddsls-collect-http"), new ThreadPoolExecutor.CallerRunsPolicy());
    // Without TCP_NODELAY, the server's separate header and body writes meet the client's delayed ACK: 40 ms per
    // request (measured: p50 44 ms). Read once, when the JDK's server configuration class loads.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(address, 128);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ddsls-collect-timer"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public void start() throws SQLException {
    store.startCheckpoints(500);
    server.start();
    timer.scheduleAtFixedRate(counters::printLine, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::enforceRetention, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  public int port() { return server.getAddress().getPort(); }

  Counters counters() { return counters; }

  /** The counters line the collector prints every interval and at shutdown. */
  public String countersLine() { return counters.line(); }

  private void enforceRetention() {
    try {
      retention.enforce(store);
    } catch (Exception e) {
      System.err.println("ddsls collect: retention failed (will retry in a minute): " + e); // at most once a minute
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      counters.received.incrementAndGet();
      if (token != null && !authorized(ex)) {
        HttpIo.text(ex, 401, "unauthorized: send the collector's token as DD-Api-Key or Authorization: Bearer");
        return;
      }
      route(ex);
    } catch (Exception e) {
      // The store refused or failed: nothing was acknowledged, the client may retry.
      counters.rejected.incrementAndGet();
      try {
        HttpIo.text(ex, 500, "collector error: " + e);
      } catch (IOException ignored) {
        // the client is gone
      }
    } finally {
      ex.close();
    }
  }

  private void route(HttpExchange ex) throws Exception {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    switch (path) {
      case "/v0.3/traces": intake.traces(ex, "v0.3"); return;
      case "/v0.4/traces": intake.traces(ex, "v0.4"); return;
      case "/v0.5/traces": intake.traces(ex, "v0.5"); return;
      case "/profiling/v1/input": intake.profile(ex); return;
      default:
    }
    boolean get = method.equals("GET") || method.equals("HEAD");
    if (path.equals("/info") || path.equals("/ddsls/v1/spans") || path.startsWith("/ddsls/v1/profiles")) {
      if (!get) {
        HttpIo.text(ex, 405, "use GET on " + path);
        return;
      }
    }
    if (path.equals("/info")) {
      HttpIo.json(ex, 200, info());
    } else if (path.equals("/ddsls/v1/spans")) {
      read.spans(ex);
    } else if (path.equals("/ddsls/v1/profiles")) {
      read.profiles(ex);
    } else if (path.startsWith("/ddsls/v1/profiles/")) {
      String rest = ex.getRequestURI().getRawPath().substring("/ddsls/v1/profiles/".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) notFound(ex, path);
      else read.attachment(ex, rest.substring(0, slash), rest.substring(slash + 1));
    } else {
      notFound(ex, path);
    }
  }

  private static void notFound(HttpExchange ex, String path) throws IOException {
    HttpIo.text(ex, 404, "not found: " + path + " is not a ddsls collect endpoint; GET /info lists them");
  }

  private String info() {
    StringBuilder sb = new StringBuilder("{\"version\":\"ddsls-collect-").append(version).append("\",\"endpoints\":[");
    for (int i = 0; i < ENDPOINTS.size(); i++) sb.append(i == 0 ? "" : ",").append('"').append(ENDPOINTS.get(i)).append('"');
    return sb.append("],\"client_drop_p0s\":false,\"span_meta_structs\":false,\"long_running_spans\":false}").toString();
  }

  /** Constant-time comparison, so the answer time says nothing about the token. */
  private boolean authorized(HttpExchange ex) {
    String key = ex.getRequestHeaders().getFirst("DD-Api-Key");
    if (key == null) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) key = auth.substring(7).trim();
    }
    return key != null && MessageDigest.isEqual(token, key.getBytes(StandardCharsets.UTF_8));
  }

  /** Stops accepting, lets requests in flight finish (acknowledged means committed), then closes the store. */
  @Override public void close() throws Exception {
    server.stop(1);
    timer.shutdownNow();
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }
}
