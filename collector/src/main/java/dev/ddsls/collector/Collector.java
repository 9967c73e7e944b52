package dev.ddsls.collector;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The running collector: a Jetty server (docs/collector.md "The HTTP server"), the store, the counters and the
 * retention job. Jetty reads headers and bodies without a thread per client; a request reaches a worker
 * only once its body is whole in memory (counted in the {@link MemoryBudget}), so a slow or stuck client holds a
 * connection and its bytes, never a worker. Ingest ({@link IngestLane}) and reads (a pool) are bounded separately:
 * when one is full the answer is 503 with Retry-After, and the other goes on serving.
 */
public final class Collector implements AutoCloseable {
  static final List<String> ENDPOINTS = endpoints();
  /** Ingest requests worked on at once (decode, check, store): SQLite has one writer; four keep two cores busy while one commits. */
  static final int INGEST_THREADS = 4;
  /** Ingest requests whose body is read, waiting for a worker. */
  static final int INGEST_QUEUE = 64;
  /** Read API workers; each holds at most one page, attachment or stream until it is written. */
  static final int READ_THREADS = 8;
  /** Of those, streamed {@code all=true} answers at once: the others stay free for pages and attachments. */
  static final int STREAMS = 4;

  private final Store store;
  private final Counters counters;
  private final Retention retention;
  private final Limits limits;
  private final MemoryBudget budget;
  private final Server server;
  private final ServerConnector connector;
  private final Deadlines deadlines;
  private final IngestLane ingest = new IngestLane(INGEST_THREADS, INGEST_QUEUE);
  private final ThreadPoolExecutor reads;
  private final Semaphore streams = new Semaphore(STREAMS);
  private final ScheduledExecutorService timer;
  private final byte[] token;
  private final IntakeApi intake;
  private final ReadApi read;
  private final String version;
  private final String info;
  /** The hash of {@link #info}: on every trace answer, so a tracer reads /info only when it changes. */
  private final String agentState;
  private final AgentEndpoints agentEndpoints = new AgentEndpoints();
  private final long intervalMillis;

  public Collector(Store store, InetSocketAddress address, String token, long maxBody, Retention retention, long intervalMillis,
      PrintStream out) throws IOException {
    this(store, address, token, Limits.defaults(maxBody), retention, intervalMillis, out);
  }

  public Collector(Store store, InetSocketAddress address, String token, Limits limits, Retention retention, long intervalMillis,
      PrintStream out) throws IOException {
    this.intervalMillis = intervalMillis;
    this.store = store;
    this.counters = new Counters(out);
    this.retention = retention;
    this.limits = limits;
    this.budget = new MemoryBudget(limits.memoryBudget);
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    List<ProfileSpanIndexer> indexers = List.of(new PprofSpanIndexer(), new JfrSpanIndexer());
    this.intake = new IntakeApi(store, counters, indexers);
    this.read = new ReadApi(store);
    String v = Collector.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
    this.info = info(version);
    this.agentState = AgentEndpoints.state(info);
    reads = new ThreadPoolExecutor(0, READ_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> daemon(r, "ddsls-collect-read"), new ThreadPoolExecutor.AbortPolicy());

    // Jetty's own threads: one acceptor, two selectors, and what runs the handler, body reads and ingest work (at most
    // INGEST_THREADS of them at once, see IngestLane; reads go to the pool above). Its queue is bounded too.
    QueuedThreadPool jettyThreads = new QueuedThreadPool(16, 4, 60_000, -1, new ArrayBlockingQueue<>(1024), null);
    jettyThreads.setName("ddsls-collect-http");
    jettyThreads.setDaemon(true);
    server = new Server(jettyThreads);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.headerBytes); // larger: 431 from Jetty's parser
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setSendDateHeader(false);
    // Not HttpConfiguration's minimum data rates: Jetty 12's core server does not enforce them (only its servlet
    // layers do). Deadlines holds bodies and answers to limits.minDataRate instead.
    HttpConnectionFactory http1 = new HttpConnectionFactory(http);
    // Tracers send bodies of 100 KiB and more: reads of 64 KiB, not Jetty's default 8 KiB.
    http1.setInputBufferSize(64 * 1024);
    connector = new ServerConnector(server, 1, 2, http1);
    connector.setHost(address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(limits.idleMillis);
    connector.setAcceptQueueSize(128);
    deadlines = new Deadlines(limits.headerMillis);
    connector.addBean(deadlines);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections, connector));
    // On stop, requests in flight finish (acknowledged means committed) before connections close.
    server.setHandler(new GracefulHandler(new Front()));
    server.setStopTimeout(5000);
    timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ddsls-collect-timer"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public void start() throws Exception {
    store.startCheckpoints(500);
    try {
      server.start();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
    timer.scheduleAtFixedRate(counters::printLine, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::enforceRetention, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    // Not on the timer: retention waits for the store's writer; the deadlines must never wait for anything.
    deadlines.start();
  }

  public int port() { return connector.getLocalPort(); }

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

  /**
   * Routes on Jetty's pool threads, without blocking them: answers small things at once, reads bodies as they arrive,
   * hands work to the pools. (Declared blocking only so that Jetty runs it on its pool rather than on the selector.)
   */
  private final class Front extends Handler.Abstract {
    @Override public boolean handle(Request request, Response response, Callback callback) {
      counters.received.incrementAndGet();
      Exchange ex = new Exchange(request, response, callback, budget.share(), deadlines, limits);
      if (request.getHeaders().size() > limits.maxHeaders) {
        refuse(ex, 431, "request has " + request.getHeaders().size() + " header fields, more than " + limits.maxHeaders);
        return true;
      }
      if (token != null && !authorized(ex)) {
        refuse(ex, 401, "unauthorized: send the collector's token as DD-Api-Key or Authorization: Bearer");
        return true;
      }
      String path = ex.path();
      String method = ex.method();
      String version = null;
      switch (path == null ? "" : path) {
        case "/v0.3/traces": version = "v0.3"; break;
        case "/v0.4/traces": version = "v0.4"; break;
        case "/v0.5/traces": version = "v0.5"; break;
        case "/profiling/v1/input":
          if (!method.equals("POST")) {
            refuse(ex, 405, "use POST on /profiling/v1/input");
            return true;
          }
          BodyReader.read(request, ex, limits, deadlines, counters, () -> submitIngest(ex, () -> intake.profile(ex)));
          return true;
        default:
      }
      if (version != null) {
        if (!method.equals("PUT") && !method.equals("POST")) {
          refuse(ex, 405, "use PUT or POST on " + path);
          return true;
        }
        String v = version;
        ex.responseHeader("Datadog-Agent-State", agentState);
        BodyReader.read(request, ex, limits, deadlines, counters, () -> submitIngest(ex, () -> intake.traces(ex, v)));
        return true;
      }
      String other = AgentEndpoints.match(path);
      if (other != null) {
        if (!method.equals("POST") && !method.equals("PUT")) {
          refuse(ex, 405, "use POST or PUT on " + path);
          return true;
        }
        BodyReader.read(request, ex, limits, deadlines, counters, () -> agentEndpoints.answer(ex, other));
        return true;
      }
      boolean get = method.equals("GET") || method.equals("HEAD");
      if (path.equals("/info") || path.equals("/ddsls/v1/spans") || path.startsWith("/ddsls/v1/profiles")) {
        if (!get) {
          refuse(ex, 405, "use GET on " + path);
          return true;
        }
      }
      if (path.equals("/info")) {
        HttpIo.json(ex, 200, info);
      } else if (path.equals("/ddsls/v1/spans")) {
        submitRead(ex, () -> read.spans(ex), true);
      } else if (path.equals("/ddsls/v1/profiles")) {
        submitRead(ex, () -> read.profiles(ex), false);
      } else if (path.startsWith("/ddsls/v1/profiles/")) {
        String rest = ex.rawPath().substring("/ddsls/v1/profiles/".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) notFound(ex, path);
        else submitRead(ex, () -> read.attachment(ex, rest.substring(0, slash), rest.substring(slash + 1)), false);
      } else {
        notFound(ex, path);
      }
      return true;
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  private void submitIngest(Exchange ex, Work work) {
    if (!ingest.submit(() -> run(ex, work))) busy(ex, INGEST_THREADS + " ingest requests are being stored and " + INGEST_QUEUE + " wait");
  }

  /** Read work runs on the read pool and holds its thread until the answer is written (so few answers wait at once). */
  private void submitRead(Exchange ex, Work work, boolean mayStream) {
    boolean stream = mayStream && "true".equalsIgnoreCase(HttpIo.query(ex).get("all"));
    if (stream && !streams.tryAcquire()) {
      busy(ex, STREAMS + " all=true answers are being streamed");
      return;
    }
    try {
      reads.execute(() -> {
        try {
          run(ex, work);
          ex.awaitWritten();
        } finally {
          if (stream) streams.release();
        }
      });
    } catch (RejectedExecutionException e) {
      if (stream) streams.release();
      busy(ex, "all " + READ_THREADS + " read workers are busy");
    }
  }

  private void run(Exchange ex, Work work) {
    try {
      work.run();
    } catch (MemoryBudget.Exceeded e) {
      if (e.alone) {
        counters.rejected.incrementAndGet();
        HttpIo.text(ex, 413, "payload too large: " + e.getMessage() + "; nothing stored");
      } else {
        busy(ex, e.getMessage());
      }
    } catch (Exception | OutOfMemoryError e) {
      // The store refused or failed: nothing was acknowledged, the client may retry.
      counters.rejected.incrementAndGet();
      if (ex.answered()) ex.finish(e); // a stream broke half way: the connection is aborted
      else HttpIo.text(ex, 500, "collector error: " + e);
    }
  }

  /** 503 with Retry-After: the collector is full for now; a tracer retries. */
  private void busy(Exchange ex, String why) {
    counters.rejected.incrementAndGet();
    ex.responseHeader("Retry-After", "1");
    HttpIo.text(ex, 503, "busy: " + why + "; retry in a second");
  }

  private void refuse(Exchange ex, int status, String message) {
    counters.rejected.incrementAndGet();
    HttpIo.text(ex, status, message);
  }

  private static void notFound(Exchange ex, String path) {
    HttpIo.text(ex, 404, "not found: " + path + " is not a ddsls collect endpoint; GET /info lists them");
  }

  private static List<String> endpoints() {
    List<String> all = new ArrayList<>(List.of("/v0.3/traces", "/v0.4/traces", "/v0.5/traces", "/profiling/v1/input", "/info",
        "/ddsls/v1/spans", "/ddsls/v1/profiles", "/ddsls/v1/profiles/{id}/{attachment}"));
    all.addAll(AgentEndpoints.PATHS);
    return List.copyOf(all);
  }

  /** The /info body: fixed for the collector's life, so its hash (Datadog-Agent-State) is too. */
  private static String info(String version) {
    StringBuilder sb = new StringBuilder("{\"version\":\"ddsls-collect-").append(version).append("\",\"endpoints\":[");
    for (int i = 0; i < ENDPOINTS.size(); i++) sb.append(i == 0 ? "" : ",").append('"').append(ENDPOINTS.get(i)).append('"');
    return sb.append("],\"client_drop_p0s\":false,\"span_meta_structs\":false,\"long_running_spans\":false}").toString();
  }

  /** Constant-time comparison, so the answer time says nothing about the token. */
  private boolean authorized(Exchange ex) {
    String key = ex.header("DD-Api-Key");
    if (key == null) {
      String auth = ex.header("Authorization");
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) key = auth.substring(7).trim();
    }
    return key != null && MessageDigest.isEqual(token, key.getBytes(StandardCharsets.UTF_8));
  }

  /** Stops accepting, lets requests in flight finish (acknowledged means committed), then closes the store. */
  @Override public void close() throws Exception {
    timer.shutdownNow();
    try {
      server.stop();
    } finally {
      deadlines.close();
      reads.shutdownNow();
      reads.awaitTermination(5, TimeUnit.SECONDS);
      store.close();
    }
  }

  /** For tests and the counters: bytes the budget holds now. */
  long budgetInUse() { return budget.used(); }
}
