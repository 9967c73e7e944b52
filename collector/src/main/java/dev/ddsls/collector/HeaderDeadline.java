package dev.ddsls.collector;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * Headers must arrive whole within a deadline. Jetty parses headers without a thread, so a client sending one header
 * line a second holds no worker, but it would hold its connection until the 32 KiB header limit (hours at that pace),
 * and the idle timeout never fires while a byte a second arrives. Every open connection is watched: one whose parser
 * has been inside a request's headers for longer than the deadline gets 408 and is closed.
 */
final class HeaderDeadline implements Connection.Listener {
  private static final String MESSAGE = "request timeout: the headers did not arrive in time\n";
  private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
      + "Content-Length: " + MESSAGE.length() + "\r\n\r\n" + MESSAGE).getBytes(StandardCharsets.US_ASCII);

  private final long deadlineNanos;
  /** Open HTTP/1.1 connections, and since when each has been in a request's headers (0: not in headers). */
  private final Map<HttpConnection, long[]> open = new ConcurrentHashMap<>();
  /** Answered with 408: closed a second later, so that the client reads the answer before the close resets it. */
  private final Map<EndPoint, Long> closing = new ConcurrentHashMap<>();

  HeaderDeadline(long deadlineMillis) { this.deadlineNanos = deadlineMillis * 1_000_000L; }

  @Override public void onOpened(Connection c) {
    if (c instanceof HttpConnection) open.put((HttpConnection) c, new long[] {0});
  }

  @Override public void onClosed(Connection c) {
    if (c instanceof HttpConnection) open.remove(c);
  }

  /** Run every quarter second: the deadline holds to within that. */
  void sweep() {
    long now = System.nanoTime();
    closing.entrySet().removeIf(c -> {
      if (now - c.getValue() < 1_000_000_000L) return false;
      c.getKey().close();
      return true;
    });
    for (Map.Entry<HttpConnection, long[]> e : open.entrySet()) {
      HttpParser p = e.getKey().getParser();
      long[] since = e.getValue();
      // START is a connection waiting for its next request (the idle timeout's business); past the headers, the
      // body's deadline applies.
      boolean inHeaders = p.inHeaderState() && !p.isStart();
      if (!inHeaders) {
        since[0] = 0;
      } else if (since[0] == 0) {
        since[0] = now;
      } else if (now - since[0] > deadlineNanos) {
        open.remove(e.getKey());
        EndPoint end = e.getKey().getEndPoint();
        closing.put(end, now);
        end.write(Callback.from(end::shutdownOutput, x -> end.close()), ByteBuffer.wrap(TIMEOUT));
      }
    }
  }
}
