package dev.ddsls.agent.upload;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An HTTP server on 127.0.0.1 (ephemeral port) that records every request and answers as told. */
public final class LoopbackServer implements AutoCloseable {
  public static final class Request {
    public final String method;
    public final String path;
    public final Map<String, List<String>> headers;
    public final byte[] body;

    Request(String method, String path, Map<String, List<String>> headers, byte[] body) {
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.body = body;
    }

    /** A header's first value (names are case-insensitive), or null. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      }
      return null;
    }
  }

  public final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  /** Statuses to answer, in order; when empty, {@link #status}. */
  public final ConcurrentLinkedQueue<Integer> scripted = new ConcurrentLinkedQueue<>();
  public volatile int status = 200;
  public volatile String responseBody = "{}";
  public volatile long sleepMillis;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  public LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  public String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

  /** The next recorded request, waiting up to 5 s. */
  public Request take() throws InterruptedException {
    Request r = requests.poll(5, TimeUnit.SECONDS);
    if (r == null) throw new AssertionError("no request arrived within 5 s");
    return r;
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      if (sleepMillis > 0) Thread.sleep(sleepMillis);
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().toString(), ex.getRequestHeaders(), body));
      Integer s = scripted.poll();
      byte[] out = responseBody.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(s != null ? s : status, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
