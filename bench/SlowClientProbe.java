import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The slow clients of CollectorUnderAttackTest against a running collector, round after round, timing each 408:
 * 4 connections sending a header line a second, 4 bodies at a byte a second, 6 all=true readers that never read.
 * java bench/SlowClientProbe.java PORT ROUNDS [populate [INGEST_THREADS]]   (populate: 50,000 spans first, so that an
 * all=true answer cannot sit in socket buffers; INGEST_THREADS keep storing meanwhile). Prints e.g.
 * "round 0: headers [408 10.2s] ... bodies [408 1.2s] ...".
 */
public class SlowClientProbe {
  static int port;

  public static void main(String[] a) throws Exception {
    port = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    ExecutorService pool = Executors.newCachedThreadPool();
    if (a.length > 2 && a[2].equals("populate")) populate();
    if (a.length > 3) for (int i = 0; i < Integer.parseInt(a[3]); i++) {
      Thread t = new Thread(() -> { while (true) { try { populate(); } catch (Exception e) { System.out.println("ingest: " + e); } } });
      t.setDaemon(true);
      t.start();
    }
    for (int round = 0; round < rounds; round++) {
      List<Socket> socks = new ArrayList<>();
      List<Future<String>> hs = new ArrayList<>(), bs = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        Socket s = sock(socks);
        hs.add(pool.submit(() -> {
          s.getOutputStream().write("PUT /v0.4/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
          return trickle(s, t0, n -> ("X-Slow-" + n + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
        }));
        Socket b = sock(socks);
        bs.add(pool.submit(() -> {
          b.getOutputStream().write("PUT /v0.4/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/msgpack\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          return trickle(b, t0, n -> new byte[] {(byte) 0x91});
        }));
      }
      for (int i = 0; i < 6; i++) {
        Socket s = sock(socks);
        s.getOutputStream().write("GET /ddsls/v1/spans?all=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      StringBuilder out = new StringBuilder("round " + round + ": headers");
      for (Future<String> f : hs) out.append(" [").append(f.get(200, TimeUnit.SECONDS)).append(']');
      out.append(" bodies");
      for (Future<String> f : bs) out.append(" [").append(f.get(200, TimeUnit.SECONDS)).append(']');
      System.out.println(out);
      for (Socket s : socks) s.close();
    }
    pool.shutdownNow();
  }

  static void populate() throws Exception {
    String pad = "x".repeat(400);
    HttpClient c = HttpClient.newHttpClient();
    long id = 1;
    for (int r = 0; r < 20; r++) {
      StringBuilder sb = new StringBuilder("[");
      for (int t = 0; t < 250; t++, id++) {
        sb.append(t == 0 ? "[" : ",[");
        for (int s = 1; s <= 10; s++) {
          sb.append(s == 1 ? "" : ",").append("{\"trace_id\":").append(id).append(",\"span_id\":").append(id * 100 + s)
            .append(",\"parent_id\":0,\"name\":\"n\",\"resource\":\"r\",\"service\":\"s\",\"start\":").append(1700000000000000000L + id)
            .append(",\"duration\":1000,\"meta\":{\"pad\":\"").append(pad).append("\"}}");
        }
        sb.append("]");
      }
      sb.append("]");
      var resp = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v0.4/traces"))
          .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(sb.toString())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) throw new IllegalStateException(resp.statusCode() + " " + resp.body());
    }
    System.out.println("populated " + System.nanoTime() / 1_000_000_000L);
  }

  static Socket sock(List<Socket> l) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", port));
    l.add(s);
    return s;
  }

  interface Piece { byte[] next(int n); }

  static String trickle(Socket s, long t0, Piece p) throws Exception {
    s.setSoTimeout(1000);
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    for (int n = 0; n < 150; n++) {
      try { out.write(p.next(n)); out.flush(); } catch (IOException e) { }
      try {
        byte[] head = in.readNBytes(12);
        String h = head.length > 0 ? new String(head, StandardCharsets.US_ASCII).substring(9) : "closed";
        return h + String.format(" %.1fs", (System.nanoTime() - t0) / 1e9);
      } catch (SocketTimeoutException e) { }
    }
    return "none in 150s";
  }
}
