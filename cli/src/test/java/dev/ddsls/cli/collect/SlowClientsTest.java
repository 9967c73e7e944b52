package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.collect.Payloads.S;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Slow clients and readers that never read take the collector's handlers, never the service of the others. */
@Order(2) // mostly waiting for the collector's deadlines: started early, beside classes that use the cores
class SlowClientsTest extends CollectorAttack {
  @Test @Order(1) void slowClientsAndStuckReadersDoNotStallOthers() throws Exception {
    // A store large enough that an all=true answer cannot sit in the socket buffers of a reader that never reads.
    String pad = "x".repeat(400);
    for (int r = 0; r < 20; r++) {
      List<List<S>> traces = new ArrayList<>();
      for (int t = 0; t < 250; t++) {
        long id = nextTrace.getAndIncrement();
        List<S> trace = new ArrayList<>();
        for (int s = 1; s <= 10; s++) trace.add(new S(id, id * 100 + s, 0, T0 + id).meta("pad", pad));
        traces.add(trace);
      }
      assertEquals(200, send("PUT", "/v0.4/traces", MSGPACK, Payloads.v04(traces)).statusCode());
      for (List<S> t : traces) acknowledged.add(t.get(0).traceId);
    }
    ExecutorService pool = Executors.newCachedThreadPool();
    List<Socket> sockets = new ArrayList<>();
    try {
      List<Future<String>> slowHeaders = new ArrayList<>();
      List<Future<String>> slowBodies = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        // One header line a second, for ever.
        Socket s = socket(sockets);
        slowHeaders.add(pool.submit(() -> {
          OutputStream out = s.getOutputStream();
          out.write("PUT /v0.4/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
          return trickle(s, n -> ("X-Slow-" + n + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
        }));
        // A body of 1,000 bytes, one byte a second.
        Socket b = socket(sockets);
        slowBodies.add(pool.submit(() -> {
          b.getOutputStream().write(("PUT /v0.4/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/msgpack\r\nContent-Length: 1000\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          return trickle(b, n -> new byte[] {(byte) 0x91});
        }));
      }
      // Six readers of every span that never read their answer.
      List<Socket> readers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Socket s = socket(sockets);
        s.getOutputStream().write("GET /ddsls/v1/spans?all=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        readers.add(s);
      }
      AtomicBoolean stop = new AtomicBoolean();
      Future<Integer> others = serveMeanwhile(stop, pool);
      // A body at a byte a second is under the minimum rate after its first second; headers have 10 s. Both deadlines are
      // kept by the collector's own deadline thread, whatever the stuck readers hold: 60 s is only this test's patience.
      for (Future<String> f : slowBodies) assertTrue(f.get(60, TimeUnit.SECONDS).startsWith("HTTP/1.1 408"), "slow body: " + f.get());
      for (Future<String> f : slowHeaders) assertTrue(f.get(60, TimeUnit.SECONDS).startsWith("HTTP/1.1 408"), "slow headers: " + f.get());
      stop.set(true);
      assertTrue(others.get(60, TimeUnit.SECONDS) > 3, "the well-behaved client was served all along");
      // The stuck readers: the first four hold the streams (200, then cut by the idle timeout), the rest were told 503.
      int busy = 0;
      for (Socket s : readers) {
        s.setSoTimeout(30_000);
        String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertTrue(head.equals("HTTP/1.1 200") || head.equals("HTTP/1.1 503"), head);
        if (head.endsWith("503")) busy++;
      }
      assertTrue(busy >= 1, "readers past the stream limit are told 503");
    } finally {
      for (Socket s : sockets) s.close();
      pool.shutdownNow();
    }
    // Streams are free again once the collector's writers see the readers gone: a reader who reads, and comes back when
    // told (503, Retry-After: 1), gets everything.
    HttpResponse<String> all = allSpans();
    assertEquals(200, all.statusCode(), all.body());
  }

  /** A connection to the collector; a small receive buffer, so that an answer not read stays in the collector. */
  private Socket socket(List<Socket> sockets) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", collector.port));
    sockets.add(s);
    return s;
  }

  private interface Piece {
    byte[] next(int n);
  }

  /** Sends a piece a second until the collector answers; returns the answer's status line (or what ended it). */
  private static String trickle(Socket s, Piece piece) throws Exception {
    s.setSoTimeout(1000);
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    for (int n = 0; n < 120; n++) {
      try {
        out.write(piece.next(n));
        out.flush();
      } catch (IOException e) {
        // The collector closed its end; its answer is still to be read.
      }
      try {
        byte[] head = in.readNBytes(12);
        if (head.length > 0) return new String(head, StandardCharsets.US_ASCII);
        return "closed without an answer";
      } catch (SocketTimeoutException e) {
        // nothing yet
      }
    }
    return "no answer in 120 s";
  }
}
