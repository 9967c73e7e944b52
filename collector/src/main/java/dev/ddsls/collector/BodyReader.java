package dev.ddsls.collector;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads a request body whole without holding a thread while the client is slow: Jetty calls back when bytes arrive.
 * The buffer is taken from the request's {@link MemoryBudget.Share} before it grows (all of a declared
 * Content-Length at once). A body over --max-body gets 413 (one at most {@link #DRAIN_BYTES} over, declared or
 * chunked, is read and dropped first, so that a client still sending reads the answer), one the budget cannot hold now
 * 503; one idle for the idle timeout, slower than the minimum data rate after its first second, or not whole within the
 * body deadline 408 (the last two checked by {@link Deadlines}' own thread, whatever Jetty's threads are doing). Then
 * {@code whole} runs (once) with {@code ex.body} set.
 */
final class BodyReader implements Runnable, Invocable, Deadlines.Watch {
  /** The first second of a body is not held to the minimum rate (a client's first write, a TCP slow start). */
  static final long GRACE_NANOS = 1_000_000_000L;
  /**
   * A body over --max-body by at most this much is read and dropped before its 413: answered at once, with the
   * connection then closed, a client still sending (as tracers do: no {@code Expect: 100-continue}) was reset and
   * never read the answer. Past it (declared, or as it arrives), the answer is at once, as Go's server drains at most
   * 256 KiB (net/http).
   */
  static final long DRAIN_BYTES = 1 << 20;
  private final Request request;
  private final Exchange ex;
  private final Limits limits;
  private final Counters counters;
  private final Runnable whole;
  /**
   * Non-null: a body over --max-body (declared, or found so as it arrives), read only to be dropped (no buffer, no
   * budget, the same deadlines), then this 413; a client that stops sending gets it when a deadline ends the read.
   */
  private volatile String overMaxBody;
  private final Deadlines deadlines;
  private final long started = System.nanoTime();
  /** Taken by whoever ends the read first: the whole body (then {@code whole} runs) or a refusal. */
  private final AtomicBoolean settled = new AtomicBoolean();
  private byte[] buf;
  private int len;
  /** {@link #len} for the deadline thread. */
  private volatile long arrived;

  private BodyReader(Request request, Exchange ex, Limits limits, Deadlines deadlines, Counters counters, Runnable whole,
      String overMaxBody) {
    this.overMaxBody = overMaxBody;
    this.request = request;
    this.ex = ex;
    this.limits = limits;
    this.counters = counters;
    this.whole = whole;
    this.deadlines = deadlines;
  }

  static void read(Request request, Exchange ex, Limits limits, Deadlines deadlines, Counters counters, Runnable whole) {
    long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (declared > limits.maxBody) {
      String tooLarge = "payload too large: body of " + declared + " bytes exceeds --max-body " + limits.maxBody + "; nothing stored";
      if (declared - limits.maxBody > DRAIN_BYTES) {
        counters.rejected.incrementAndGet();
        HttpIo.text(ex, 413, tooLarge);
        return;
      }
      BodyReader drain = new BodyReader(request, ex, limits, deadlines, counters, whole, tooLarge);
      deadlines.watch(drain);
      drain.run();
      return;
    }
    BodyReader r = new BodyReader(request, ex, limits, deadlines, counters, whole, null);
    try {
      r.grow(declared > 0 ? (int) declared : 0);
    } catch (MemoryBudget.Exceeded e) {
      r.over(e);
      return;
    }
    deadlines.watch(r);
    r.run();
  }

  /** On the deadline thread: the body deadline, and the minimum rate after the first second. */
  @Override public boolean expired(long now) {
    if (settled.get()) return true;
    long elapsed = now - started;
    if (elapsed > limits.bodyMillis * 1_000_000L) {
      refuse(408, "request timeout: the body did not arrive within " + limits.bodyMillis / 1000 + " s");
      return true;
    }
    if (elapsed > GRACE_NANOS && arrived < limits.minDataRate * (elapsed - GRACE_NANOS) / 1_000_000_000L) {
      refuse(408, "request timeout: the body arrives slower than " + limits.minDataRate + " bytes/s (" + arrived + " bytes in "
          + elapsed / 1_000_000 + " ms)");
      return true;
    }
    return false;
  }

  /**
   * Declared blocking although it never blocks: Jetty then runs it on a pool thread rather than on its selector, so
   * the bodies of several connections are copied in parallel instead of one after another on one thread (on a loaded
   * machine the selector alone got too small a share of the CPU: ingest fell by a quarter).
   */
  @Override public InvocationType getInvocationType() { return InvocationType.BLOCKING; }

  /** Reads what has arrived; asks to be called again when more does. */
  @Override public void run() {
    while (true) {
      if (settled.get()) return; // refused meanwhile
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        Throwable f = chunk.getFailure();
        if (f instanceof TimeoutException) {
          refuse(408, "request timeout: the body stopped arriving for " + limits.idleMillis / 1000 + " s");
        } else if (f instanceof HttpException && ((HttpException) f).getCode() == 408) {
          refuse(408, "request timeout: " + f.getMessage());
        } else {
          refuse(400, "the body could not be read: " + f.getMessage());
        }
        return;
      }
      ByteBuffer b = chunk.getByteBuffer();
      int n = b.remaining();
      if (overMaxBody == null && len + (long) n > limits.maxBody) {
        // A body without Content-Length grew past --max-body: what it held is given back, the rest is drained.
        overMaxBody = "payload too large: body exceeds --max-body " + limits.maxBody + " bytes; nothing stored";
        ex.share.give(buf.length);
        buf = null;
      }
      if (overMaxBody != null) {
        arrived += n;
        boolean last = chunk.isLast();
        chunk.release();
        if (!last && arrived - limits.maxBody <= DRAIN_BYTES) continue;
        refuse(413, overMaxBody);
        return;
      }
      try {
        if (len + n > buf.length) grow(len + n);
      } catch (MemoryBudget.Exceeded e) {
        chunk.release();
        over(e);
        return;
      }
      b.get(buf, len, n);
      len += n;
      arrived = len;
      boolean last = chunk.isLast();
      chunk.release();
      if (last) {
        if (!settled.compareAndSet(false, true)) return;
        deadlines.unwatch(this);
        if (len != buf.length) {
          // A body without Content-Length: trimmed (the copy taken first, the larger array given back).
          try {
            ex.share.take(len, "a body of " + len + " bytes");
          } catch (MemoryBudget.Exceeded e) {
            over(e);
            return;
          }
          byte[] larger = buf;
          buf = Arrays.copyOf(larger, len);
          ex.share.give(larger.length);
        }
        ex.body = buf;
        whole.run();
        return;
      }
    }
  }

  /** To at least {@code need} bytes (doubling, within --max-body), taken from the budget first. */
  private void grow(int need) throws MemoryBudget.Exceeded {
    int size = buf == null ? need : (int) Math.min(limits.maxBody, Math.max(need, Math.max(8192, 2L * buf.length)));
    // The new array is taken whole while the old one is copied into it; then the old one is given back.
    ex.share.take(size, "a body of " + size + " bytes");
    int old = buf == null ? 0 : buf.length;
    buf = buf == null ? new byte[size] : Arrays.copyOf(buf, size);
    ex.share.give(old);
  }

  private void over(MemoryBudget.Exceeded e) {
    settled.set(true);
    deadlines.unwatch(this);
    counters.rejected.incrementAndGet();
    if (e.alone) {
      HttpIo.text(ex, 413, "payload too large: " + e.getMessage() + "; nothing stored");
    } else {
      ex.responseHeader("Retry-After", "1");
      HttpIo.text(ex, 503, "busy: " + e.getMessage() + "; retry in a second");
    }
  }

  /** Ends the read with {@code status}; a body over --max-body ends with its 413 however it ends (stalled, cut, late). */
  private void refuse(int status, String message) {
    if (!settled.compareAndSet(false, true)) return;
    deadlines.unwatch(this);
    counters.rejected.incrementAndGet();
    if (overMaxBody != null) HttpIo.text(ex, 413, overMaxBody);
    else HttpIo.text(ex, status, message);
  }
}
