package dev.ddsls.collector;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request as the intake and read APIs see it: method, path, query, headers, the body (read whole before an API
 * runs) and one answer. The answer is written without blocking; the request's {@link MemoryBudget.Share} is given back
 * once it has been written (or has failed), so a response waiting for a slow reader stays counted.
 *
 * <p>Every write of the answer has a deadline, watched by {@link Deadlines}' own thread: the idle timeout plus its
 * bytes at the minimum data rate. A write that has not completed by then closes the connection, which fails the
 * write, so a reader that never reads holds a read worker for that long at most, however busy Jetty's threads are.
 */
final class Exchange {
  private final Request request;
  private final Response response;
  private final Callback callback;
  final MemoryBudget.Share share;
  private final Deadlines deadlines;
  private final Limits limits;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  /** The request body, set before an ingest API runs. */
  byte[] body;

  Exchange(Request request, Response response, Callback callback, MemoryBudget.Share share, Deadlines deadlines, Limits limits) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.share = share;
    this.deadlines = deadlines;
    this.limits = limits;
  }

  String method() { return request.getMethod(); }

  /** The decoded path. */
  String path() { return request.getHttpURI().getDecodedPath(); }

  String rawPath() { return request.getHttpURI().getPath(); }

  String rawQuery() { return request.getHttpURI().getQuery(); }

  String header(String name) { return request.getHeaders().get(name); }

  boolean head() { return "HEAD".equals(request.getMethod()); }

  void responseHeader(String name, String value) { response.getHeaders().put(name, value); }

  boolean answered() { return answered.get(); }

  /** Answers with {@code body}; false if an answer was already given (a timeout and a late worker race for it). */
  boolean send(int status, String contentType, byte[] body) {
    if (!answered.compareAndSet(false, true)) return false;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    if (status == 413 || status == 408 || status == 431) response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    // For HEAD, Jetty sends the headers only.
    WriteDeadline w = new WriteDeadline(body.length);
    response.write(true, ByteBuffer.wrap(body), Callback.from(() -> {
      w.end();
      finish(null);
    }, x -> {
      w.end();
      finish(x);
    }));
    return true;
  }

  /** One write of the answer, which must complete within the idle timeout plus its bytes at the minimum rate. */
  private final class WriteDeadline implements Deadlines.Watch {
    private final long deadline;
    private volatile boolean ended;

    WriteDeadline(long bytes) {
      deadline = System.nanoTime() + limits.idleMillis * 1_000_000L + bytes * 1_000_000_000L / Math.max(1, limits.minDataRate);
      deadlines.watch(this);
    }

    /** The write completed or failed. */
    void end() {
      ended = true;
      deadlines.unwatch(this);
    }

    @Override public boolean expired(long now) {
      if (ended) return true;
      if (now - deadline < 0) return false;
      // Closing the connection fails the pending write (and so the answer) from this thread, without Jetty's pool.
      request.getConnectionMetaData().getConnection().getEndPoint().close(new TimeoutException(
          "the client did not take the answer in time (idle timeout plus " + limits.minDataRate + " bytes/s)"));
      return true;
    }
  }

  /** A streamed answer's writes, each under a {@link WriteDeadline}. */
  private final class DeadlineStream extends OutputStream {
    private final OutputStream sink;

    DeadlineStream(OutputStream sink) { this.sink = sink; }

    @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

    @Override public void write(byte[] b, int off, int len) throws IOException { timed(len, () -> sink.write(b, off, len)); }

    @Override public void flush() throws IOException { timed(0, sink::flush); }

    @Override public void close() throws IOException { timed(0, sink::close); }

    /** Runs one blocking operation on the sink under a deadline for {@code bytes}. */
    private void timed(long bytes, SinkOperation op) throws IOException {
      WriteDeadline w = new WriteDeadline(bytes);
      try {
        op.run();
      } finally {
        w.end();
      }
    }
  }

  private interface SinkOperation {
    void run() throws IOException;
  }

  /**
   * Starts a streamed 200 answer of unknown length; close the stream, then call {@link #finish}. Writes block the
   * calling thread while the client is slow, each at most until its {@link WriteDeadline}.
   */
  OutputStream stream(String contentType) {
    if (!answered.compareAndSet(false, true)) throw new IllegalStateException("already answered");
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    return new DeadlineStream(Content.Sink.asOutputStream(response));
  }

  /** The answer is written (null) or failed; gives the budget back. Called once. */
  void finish(Throwable failure) {
    if (!done.complete(null)) return;
    share.close();
    if (failure == null) callback.succeeded();
    else callback.failed(failure);
  }

  /** Waits until the answer is written or failed (a read thread holds its response until then). */
  void awaitWritten() {
    try {
      done.get(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      // written or not, the thread moves on (a stuck write is failed by its WriteDeadline long before)
    }
  }
}
