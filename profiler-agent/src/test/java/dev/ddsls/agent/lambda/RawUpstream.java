package dev.ddsls.agent.lambda;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A fake Runtime API on loopback that records each request's exact bytes and answers scripted raw bytes. */
final class RawUpstream implements AutoCloseable {
  /** One request as the upstream received it. */
  static final class Seen {
    final RawHttp request;
    final long arrivedNanos;
    final int connection;

    Seen(RawHttp request, long arrivedNanos, int connection) {
      this.request = request;
      this.arrivedNanos = arrivedNanos;
      this.connection = connection;
    }
  }

  final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  /** Decoded chunks of chunked request bodies, as they arrive (proves streaming). */
  final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  final AtomicInteger connections = new AtomicInteger();
  private final ServerSocket server;
  private final Function<Seen, byte[]> responder;
  /** Close each connection after answering, without saying so (an idle-closing peer). */
  volatile boolean closeAfterEachAnswer;

  RawUpstream(Function<Seen, byte[]> responder) throws IOException {
    this.responder = responder;
    server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptLoop, "raw-upstream");
    t.setDaemon(true);
    t.start();
  }

  String hostPort() { return "127.0.0.1:" + server.getLocalPort(); }

  int port() { return server.getLocalPort(); }

  Seen next() throws InterruptedException {
    Seen s = seen.poll(10, TimeUnit.SECONDS);
    if (s == null) throw new AssertionError("upstream saw no request");
    return s;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        int n = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s, n), "raw-upstream-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s, int n) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      for (;;) {
        RawHttp req = RawHttp.read(in, false, chunks::add);
        if (req == null) return;
        Seen seenNow = new Seen(req, System.nanoTime(), n);
        seen.add(seenNow);
        out.write(responder.apply(seenNow));
        out.flush();
        if (closeAfterEachAnswer) return;
      }
    } catch (IOException e) {
      // peer went away
    }
  }

  @Override public void close() throws IOException { server.close(); }
}
