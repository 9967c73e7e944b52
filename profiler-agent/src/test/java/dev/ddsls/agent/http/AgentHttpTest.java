package dev.ddsls.agent.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ddsls.agent.upload.LoopbackServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgentHttpTest {
  private static long in(long millis) { return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis); }

  @Test
  void sendsHeadersAndBodyAndReadsAContentLengthAnswer() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      server.status = 202;
      server.responseBody = "accepted ✓";
      byte[] body = "hello body".getBytes(StandardCharsets.UTF_8);
      AgentHttp.Response r = AgentHttp.send("POST", server.url() + "/a/b?c=d", new String[] {"X-One", "1", "X-Skipped", null},
          body, in(5000));
      assertEquals(202, r.status());
      assertTrue(r.ok());
      assertEquals("accepted ✓", r.body());
      LoopbackServer.Request req = server.take();
      assertEquals("POST", req.method);
      assertEquals("/a/b?c=d", req.path);
      assertEquals("1", req.header("X-One"));
      assertNull(req.header("X-Skipped"));
      assertEquals("close", req.header("Connection"));
      assertEquals("10", req.header("Content-Length"));
      assertArrayEquals(body, req.body);
    }
  }

  @Test
  void readsChunkedAnswersAndCapsTheBody() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.sendResponseHeaders(500, 0); // 0 = chunked
      try (OutputStream os = ex.getResponseBody()) {
        byte[] piece = "0123456789".getBytes(StandardCharsets.US_ASCII);
        String q = ex.getRequestURI().getQuery();
        int n = q != null && q.equals("big") ? 10_000 : 3;
        for (int i = 0; i < n; i++) {
          os.write(piece);
          os.flush();
        }
      }
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      AgentHttp.Response small = AgentHttp.send("PUT", base + "/x", null, null, in(5000));
      assertEquals(500, small.status());
      assertEquals("012345678901234567890123456789", small.body());
      AgentHttp.Response big = AgentHttp.send("PUT", base + "/x?big", null, new byte[0], in(5000));
      assertEquals(AgentHttp.MAX_RESPONSE_BODY, big.body().length());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void readsABodyThatEndsWithTheConnection() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket s = ss.accept()) {
          InputStream in = s.getInputStream();
          byte[] buf = new byte[4096];
          int seen = 0;
          String req = "";
          while (!req.contains("\r\n\r\n") && (seen = in.read(buf)) > 0) req += new String(buf, 0, seen, StandardCharsets.ISO_8859_1);
          s.getOutputStream().write("HTTP/1.0 200 OK\r\nX: y\r\n\r\nuntil close".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
          // test fails on the client side
        }
      });
      t.start();
      AgentHttp.Response r = AgentHttp.send("GET", "http://127.0.0.1:" + ss.getLocalPort() + "/", null, null, in(5000));
      assertEquals(200, r.status());
      assertEquals("until close", r.body());
      t.join();
    }
  }

  @Test
  void closedPortIsAConnectFailure() throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    assertThrows(ConnectException.class, () -> AgentHttp.send("POST", "http://127.0.0.1:" + port + "/", null, new byte[1], in(2000)));
  }

  @Test
  void aSlowServerCostsNoMoreThanTheDeadline() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      server.sleepMillis = 10_000;
      long t0 = System.nanoTime();
      assertThrows(SocketTimeoutException.class, () -> AgentHttp.send("POST", server.url() + "/", null, new byte[10], in(500)));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8));
    }
  }

  @Test
  void aPeerThatNeverReadsCannotBlockTheWrite() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // The kernel completes the handshake from the backlog; nobody ever reads, so a 32 MiB body fills the buffers.
      long t0 = System.nanoTime();
      assertThrows(SocketTimeoutException.class,
          () -> AgentHttp.send("POST", "http://127.0.0.1:" + ss.getLocalPort() + "/", null, new byte[32 << 20], in(500)));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8));
    }
  }

  @Test
  void badUrlsAndPastDeadlinesAreIoExceptions() {
    assertThrows(IOException.class, () -> AgentHttp.send("GET", "ftp://x/", null, null, in(1000)));
    assertThrows(IOException.class, () -> AgentHttp.send("GET", "http://127.0.0.1:99999/", null, null, in(1000)));
    assertThrows(IOException.class, () -> AgentHttp.send("GET", "http:///", null, null, in(1000)));
    assertThrows(SocketTimeoutException.class, () -> AgentHttp.send("GET", "http://127.0.0.1:1/", null, null, System.nanoTime() - 1));
  }
}
