package dev.ddsls.agent.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real HTTP client library as the runtime and the JDK's HTTP server as the Runtime API, with the proxy between. */
class RuntimeApiProxyHttpClientTest {
  static final String BASE = "/2018-06-01/runtime/invocation/";
  final byte[] event = new byte[3 * 1024 * 1024 + 5];
  final List<byte[]> responsesSeen = new CopyOnWriteArrayList<>();
  final AtomicInteger invocation = new AtomicInteger();
  final RecordingListener listener = new RecordingListener();
  HttpServer upstream;
  RuntimeApiProxy proxy;

  @BeforeEach void start() throws IOException {
    new Random(7).nextBytes(event);
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.createContext(BASE, x -> {
      String path = x.getRequestURI().getPath();
      byte[] body = x.getRequestBody().readAllBytes();
      if (path.equals(BASE + "next")) {
        int n = invocation.incrementAndGet();
        x.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "req-" + n);
        x.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", "1700000000000");
        // odd invocations with Content-Length, even ones chunked (length 0 = chunked in this server)
        answer(x, 200, event, n % 2 == 1);
      } else {
        responsesSeen.add(body);
        answer(x, 202, "{\"status\":\"OK\"}".getBytes(), true);
      }
    });
    upstream.start();
    proxy = RuntimeApiProxy.start("127.0.0.1:" + upstream.getAddress().getPort(), 0, listener);
  }

  @AfterEach void stop() {
    proxy.close();
    upstream.stop(0);
  }

  @Test void invocationsRoundTripWithJavaHttpClient() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + proxy.port() + BASE;
    byte[] result = new byte[2 * 1024 * 1024];
    new Random(8).nextBytes(result);
    for (int i = 1; i <= 4; i++) {
      HttpResponse<byte[]> next = client.send(HttpRequest.newBuilder(URI.create(base + "next")).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, next.statusCode());
      assertEquals("req-" + i, next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElse(null));
      assertArrayEquals(event, next.body());
      // even invocations stream their result with an unknown length: the client sends it chunked
      HttpRequest.BodyPublisher body = i % 2 == 0
          ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(result))
          : HttpRequest.BodyPublishers.ofByteArray(result);
      HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create(base + "req-" + i + "/response")).POST(body).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(202, posted.statusCode());
      assertEquals("{\"status\":\"OK\"}", posted.body());
      assertArrayEquals(result, responsesSeen.get(i - 1));
      assertEquals("req-" + i, listener.await("onResponse", i).id);
      assertEquals(result.length, listener.await("onResponse", i).bytes);
      InvocationEvent e = listener.await("onInvocation", i).event;
      assertEquals("req-" + i, e.requestId());
      assertEquals(1700000000000L, e.deadlineMs());
      assertArrayEquals(event, e.payload());
    }
  }

  private static void answer(HttpExchange x, int status, byte[] body, boolean withLength) throws IOException {
    x.sendResponseHeaders(status, withLength ? body.length : 0);
    x.getResponseBody().write(body);
    x.close();
  }
}
