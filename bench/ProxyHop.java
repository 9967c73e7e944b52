import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.lambda.InvocationListener;
import dev.ddsls.agent.lambda.RuntimeApiProxy;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the agent's Runtime API proxy adds to one invocation, without a JVM start or a handler around it: a loopback
 * "Runtime API" answers {@code GET /next} with an event (the headers Lambda sends, a 200-byte body) and
 * {@code POST /response} with 202; a client plays the runtime, one keep-alive connection, one invocation a cycle.
 * Cycles go straight to the Runtime API or through {@code RuntimeApiProxy} (a listener that does nothing, so only the
 * hop is measured), in interleaved blocks so machine drift hits both alike. A one-byte ping-pong on a loopback
 * socket gives the yardstick: one loopback round trip between two Java threads.
 *
 * Usage: java -cp profiler-agent/target/classes bench/ProxyHop.java [cycles per block] [blocks] [--cold]
 * With --cold only the first block of each is timed (a fresh JVM: the proxy's code still interpreted, as in the
 * first invocations of a sandbox); run it several times.
 */
public final class ProxyHop {
  static final byte[] EVENT = ("{\"version\":\"2.0\",\"routeKey\":\"GET /orders/{id}\",\"rawPath\":\"/orders/42\",\"headers\":"
      + "{\"accept\":\"application/json\",\"host\":\"api.example.com\"},\"requestContext\":{\"http\":{\"method\":\"GET\"}},"
      + "\"isBase64Encoded\":false}").getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    boolean cold = Arrays.asList(args).contains("--cold");
    try (RuntimeApi api = new RuntimeApi();
         RuntimeApiProxy proxy = RuntimeApiProxy.start("127.0.0.1:" + api.port(), 0, new Quiet());
         Client direct = new Client(api.port());
         Client relayed = new Client(proxy.port());
         PingPong ping = new PingPong()) {
      long[] d = new long[cycles * blocks], p = new long[cycles * blocks], r = new long[cycles * blocks];
      int n = 0;
      for (int b = 0; b < blocks; b++) {
        // Alternate which goes first, so neither always runs right after the other's warm-up.
        Client first = b % 2 == 0 ? relayed : direct, second = first == relayed ? direct : relayed;
        long[] a1 = first == relayed ? p : d, a2 = first == relayed ? d : p;
        for (int i = 0; i < cycles; i++) a1[n + i] = first.invoke();
        for (int i = 0; i < cycles; i++) a2[n + i] = second.invoke();
        for (int i = 0; i < cycles; i++) r[n + i] = ping.roundTrip();
        n += cycles;
        if (cold) break;
      }
      d = Arrays.copyOf(d, n);
      p = Arrays.copyOf(p, n);
      r = Arrays.copyOf(r, n);
      System.out.printf("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", cold ? "first " + cycles : "warm",
          n, us(q(d, .5)), us(q(p, .5)), us(q(p, .5) - q(d, .5)), us(q(d, .99)), us(q(p, .99)), us(q(p, .99) - q(d, .99)),
          us(q(r, .5)));
    }
  }

  static double us(double nanos) { return nanos / 1000.0; }

  static double q(long[] xs, double p) {
    long[] s = xs.clone();
    Arrays.sort(s);
    double h = (s.length - 1) * p;
    int lo = (int) h;
    return lo >= s.length - 1 ? s[lo] : s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
  }

  /** A listener that does nothing: the bench measures the relay, not the agent's bookkeeping. */
  static final class Quiet implements InvocationListener {
    @Override public void onNextRequested(long nanoTime) {}

    @Override public void onInvocation(InvocationEvent event) {}

    @Override public void onResponse(String requestId, long nanoTime, int responseBytes) {}

    @Override public void onInvocationError(String requestId, long nanoTime, String errorType, byte[] body) {}

    @Override public void onInitError(long nanoTime, String errorType, byte[] body) {}
  }

  /** The runtime's side: GET /next, then POST its response; the nanoseconds of one such cycle. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    int id;

    Client(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = new BufferedOutputStream(socket.getOutputStream());
    }

    long invoke() throws IOException {
      long t0 = System.nanoTime();
      out.write("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: aws-lambda-java/17\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String requestId = Wire.readResponse(in, "lambda-runtime-aws-request-id");
      byte[] body = "{\"statusCode\":200,\"body\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
      out.write(("POST /2018-06-01/runtime/invocation/" + requestId + "/response HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      Wire.readResponse(in, null);
      return System.nanoTime() - t0;
    }

    @Override public void close() throws IOException { socket.close(); }
  }

  /** The Runtime API: every connection served on its own thread, keep-alive. */
  static final class RuntimeApi implements AutoCloseable, Runnable {
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    long next;

    RuntimeApi() throws IOException {
      Thread t = new Thread(this, "runtime-api");
      t.setDaemon(true);
      t.start();
    }

    int port() { return server.getLocalPort(); }

    @Override public void run() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread t = new Thread(() -> serve(s), "runtime-api-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    void serve(Socket s) {
      try (s) {
        s.setTcpNoDelay(true);
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = new BufferedOutputStream(s.getOutputStream());
        for (;;) {
          String start = Wire.readRequest(in);
          if (start == null) return;
          if (start.startsWith("GET ")) {
            String id = "8476a536-e9f4-11e8-9739-" + String.format("%012d", next++);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: " + id
                + "\r\nLambda-Runtime-Deadline-Ms: " + (System.currentTimeMillis() + 30_000)
                + "\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench"
                + "\r\nLambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
                + "\r\nDate: Mon, 07 Dec 2026 01:00:00 GMT\r\nContent-Length: " + EVENT.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
            out.write(EVENT);
          } else {
            out.write("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n"
                .getBytes(StandardCharsets.ISO_8859_1));
          }
          out.flush();
        }
      } catch (IOException e) {
        // the bench ended
      }
    }

    @Override public void close() throws IOException { server.close(); }
  }

  /** One byte there and back between two threads on loopback: the yardstick. */
  static final class PingPong implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    final Socket a;
    final Socket b;

    PingPong() throws IOException {
      a = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
      b = server.accept();
      a.setTcpNoDelay(true);
      b.setTcpNoDelay(true);
      Thread echo = new Thread(() -> {
        try {
          InputStream in = b.getInputStream();
          OutputStream out = b.getOutputStream();
          for (int c; (c = in.read()) >= 0; ) out.write(c);
        } catch (IOException e) {
          // closed
        }
      }, "echo");
      echo.setDaemon(true);
      echo.start();
    }

    long roundTrip() throws IOException {
      long t0 = System.nanoTime();
      a.getOutputStream().write(1);
      if (a.getInputStream().read() < 0) throw new IOException("echo closed");
      return System.nanoTime() - t0;
    }

    @Override public void close() throws IOException {
      a.close();
      b.close();
      server.close();
    }
  }

  /** Just enough HTTP/1.1 for this bench: Content-Length bodies. */
  static final class Wire {
    static String readRequest(InputStream in) throws IOException {
      String start = line(in);
      if (start == null) return null;
      int length = 0;
      for (String h; !(h = line(in)).isEmpty(); ) {
        if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
      }
      in.readNBytes(length);
      return start;
    }

    static String readResponse(InputStream in, String header) throws IOException {
      if (line(in) == null) throw new IOException("closed");
      int length = 0;
      String value = null;
      for (String h; !(h = line(in)).isEmpty(); ) {
        if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
        if (header != null && h.regionMatches(true, 0, header + ":", 0, header.length() + 1)) {
          value = h.substring(header.length() + 1).trim();
        }
      }
      in.readNBytes(length);
      return value;
    }

    static String line(InputStream in) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) return sb.length() == 0 ? null : sb.toString();
        if (c != '\r') sb.append((char) c);
      }
      return sb.toString();
    }
  }
}
