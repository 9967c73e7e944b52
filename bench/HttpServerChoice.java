import com.sun.net.httpserver.HttpServer;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP layer alone, for choosing the collector's server (bench/http-server-choice): a sink that reads each
 * request body whole on a blocking worker thread, as the collector does, and answers 200 with a small JSON body.
 * Driven by bench/CollectorIngest.java, so the difference between servers is their own cost per request.
 *
 * Usage: java -cp JETTY_AND_UNDERTOW_JARS bench/HttpServerChoice.java jdk|jetty|undertow
 * Prints "listening on PORT", then serves until killed.
 */
public final class HttpServerChoice {
  static final byte[] ANSWER = "{\"rate_by_service\":{\"service:,env:\":1.0}}".getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    int port;
    switch (args[0]) {
      case "jdk": port = jdk(); break;
      case "jetty": port = jetty(); break;
      case "undertow": port = undertow(); break;
      default: throw new IllegalArgumentException(args[0]);
    }
    System.out.println("listening on " + port);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  static int jdk() throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    s.setExecutor(new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), new ThreadPoolExecutor.CallerRunsPolicy()));
    s.createContext("/", ex -> {
      try (InputStream in = ex.getRequestBody()) { in.readAllBytes(); }
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, ANSWER.length);
      try (OutputStream os = ex.getResponseBody()) { os.write(ANSWER); }
    });
    s.start();
    return s.getAddress().getPort();
  }

  static int jetty() throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(8, 2);
    Server server = new Server(pool);
    ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(new HttpConfiguration()));
    c.setHost("127.0.0.1");
    c.setPort(0);
    server.addConnector(c);
    server.setHandler(new Handler.Abstract(Invocable.InvocationType.BLOCKING) {
      @Override public boolean handle(Request request, Response response, Callback callback) throws Exception {
        try (InputStream in = Content.Source.asInputStream(request)) { in.readAllBytes(); }
        response.getHeaders().put("Content-Type", "application/json");
        response.getHeaders().put("Content-Length", ANSWER.length);
        response.write(true, ByteBuffer.wrap(ANSWER), callback);
        return true;
      }
    });
    server.start();
    return c.getLocalPort();
  }

  static int undertow() {
    Undertow u = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(8)
        .setHandler(HttpServerChoice::undertowHandle).build();
    u.start();
    return ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
  }

  static void undertowHandle(HttpServerExchange ex) throws Exception {
    if (ex.isInIoThread()) {
      ex.dispatch(HttpServerChoice::undertowHandle);
      return;
    }
    ex.startBlocking();
    ex.getInputStream().readAllBytes();
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, ANSWER.length);
    ex.getOutputStream().write(ANSWER);
    ex.endExchange();
  }
}
