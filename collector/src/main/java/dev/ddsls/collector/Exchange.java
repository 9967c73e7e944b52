package dev.ddsls.collector;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 */
final class Exchange {
  private final Request request;
  private final Response response;
  private final Callback callback;
  final MemoryBudget.Share share;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  /** The request body, set before an ingest API runs. */
  byte[] body;

  Exchange(Request request, Response response, Callback callback, MemoryBudget.Share share) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.share = share;
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
    response.write(true, ByteBuffer.wrap(body), Callback.from(() -> finish(null), this::finish));
    return true;
  }

  /**
   * Starts a streamed 200 answer of unknown length; close the stream, then call {@link #finish}. Writes block the
   * calling thread while the client is slow (bounded by the connector's idle timeout and minimum data rate).
   */
  OutputStream stream(String contentType) {
    if (!answered.compareAndSet(false, true)) throw new IllegalStateException("already answered");
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    return Content.Sink.asOutputStream(response);
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
      // written or not, the thread moves on; a stuck write is failed by the connector's idle timeout
    }
  }
}
