package dev.ddsls.collector;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * Every time limit a slow or stuck client is held to, on one thread of its own that does nothing else, so that no
 * number of stuck clients, busy workers or slow store commits can delay a 408 (docs/collector.md "Limits"):
 * <ul>
 * <li>headers whole within the header deadline (Jetty parses them without a thread, so a client sending one line a
 * second holds no worker, but its connection would stay until the 32 KiB limit, and the idle timeout never fires
 * while a byte a second arrives): 408, then the connection is closed;</li>
 * <li>bodies and answers, through {@link Watch}es: a body's deadline and minimum rate ({@link BodyReader}), an
 * answer's write that does not complete ({@link Exchange}). Jetty 12's own minimum data rates
 * ({@code HttpConfiguration.setMinRequestDataRate}) are not enforced by its core server, and its idle timeout fails a
 * blocked write through a task on its thread pool; neither is relied on.</li>
 * </ul>
 * A sweep every quarter second checks them all; nothing it meets can throw out of it (a periodic task that throws is
 * never run again) or block it (it only writes without blocking and closes).
 */
final class Deadlines implements Connection.Listener, AutoCloseable {
  /** A time limit on one request; checked every sweep until it returns true (done: answered, refused or ended). */
  interface Watch {
    boolean expired(long nowNanos);
  }

  static final long SWEEP_MILLIS = 250;
  private static final String MESSAGE = "request timeout: the headers did not arrive in time\n";
  private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
      + "Content-Length: " + MESSAGE.length() + "\r\n\r\n" + MESSAGE).getBytes(StandardCharsets.US_ASCII);

  private final long headerNanos;
  /** Open HTTP/1.1 connections, and since when each has been in a request's headers (0: not in headers). */
  private final Map<HttpConnection, long[]> open = new ConcurrentHashMap<>();
  /** Answered with 408: closed a second later, so that the client reads the answer before the close resets it. */
  private final Map<EndPoint, Long> closing = new ConcurrentHashMap<>();
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ddsls-collect-deadlines");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean reported = new AtomicBoolean();

  Deadlines(long headerMillis) { this.headerNanos = headerMillis * 1_000_000L; }

  void start() { thread.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS); }

  void watch(Watch w) { watches.add(w); }

  void unwatch(Watch w) { watches.remove(w); }

  @Override public void onOpened(Connection c) {
    if (c instanceof HttpConnection) open.put((HttpConnection) c, new long[] {0});
  }

  @Override public void onClosed(Connection c) {
    if (c instanceof HttpConnection) open.remove(c);
  }

  /** Run every quarter second: the deadlines hold to within that. */
  void sweep() {
    long now = System.nanoTime();
    closing.entrySet().removeIf(c -> {
      if (now - c.getValue() < 1_000_000_000L) return false;
      guarded(() -> c.getKey().close());
      return true;
    });
    for (Map.Entry<HttpConnection, long[]> e : open.entrySet()) guarded(() -> headers(e.getKey(), e.getValue(), now));
    for (Watch w : watches) {
      guarded(() -> {
        if (w.expired(now)) watches.remove(w);
      });
    }
  }

  private void headers(HttpConnection connection, long[] since, long now) {
    HttpParser p = connection.getParser();
    // START is a connection waiting for its next request (the idle timeout's business); past the headers, the
    // body's deadline applies.
    boolean inHeaders = p.inHeaderState() && !p.isStart();
    if (!inHeaders) {
      since[0] = 0;
    } else if (since[0] == 0) {
      since[0] = now;
    } else if (now - since[0] > headerNanos) {
      open.remove(connection);
      EndPoint end = connection.getEndPoint();
      closing.put(end, now);
      end.write(Callback.from(end::shutdownOutput, x -> end.close()), ByteBuffer.wrap(TIMEOUT));
    }
  }

  /** Runs one check; whatever it throws is reported once and the sweep goes on to the next. */
  private void guarded(Runnable check) {
    try {
      check.run();
    } catch (Throwable t) {
      if (reported.compareAndSet(false, true)) System.err.println("ddsls collect: a deadline check failed (the others go on): " + t);
    }
  }

  @Override public void close() { thread.shutdownNow(); }
}
