package dev.ddsls.collector;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes the collector's requests may hold at once: bodies, inflated attachments, decoded spans and responses
 * waiting for a slow reader. Each request takes from it through its {@link Share} as it goes (before allocating, as
 * far as the size is known) and gives everything back when its answer is written. A request that alone would need
 * more than the whole budget is refused with 413; one that finds it taken by others gets 503 with Retry-After.
 */
final class MemoryBudget {
  /** Over budget: {@code alone} if this request by itself needs more than the whole budget (413), else 503. */
  static final class Exceeded extends Exception {
    final boolean alone;

    Exceeded(String message, boolean alone) {
      super(message, null, false, false);
      this.alone = alone;
    }
  }

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  MemoryBudget(long limit) { this.limit = limit; }

  long limit() { return limit; }

  long used() { return used.get(); }

  Share share() { return new Share(); }

  /** One request's part of the budget. Its answer may be written, and the share closed, on
   * another thread than the one that decoded it. */
  final class Share implements AutoCloseable {
    private long held;

    /** Takes {@code n} more bytes for this request, or refuses saying what for. */
    synchronized void take(long n, String what) throws Exceeded {
      if (n <= 0) return;
      if (held + n > limit) {
        throw new Exceeded(what + " needs " + mib(held + n) + " of memory, over the collector's budget of " + mib(limit), true);
      }
      for (long u = used.get(); ; u = used.get()) {
        if (u + n > limit) throw new Exceeded("the collector's memory budget (" + mib(limit) + ") is in use by other requests", false);
        if (used.compareAndSet(u, u + n)) break;
      }
      held += n;
    }

    /** Gives back part of what was taken (an estimate that turned out high). */
    synchronized void give(long n) {
      long g = Math.min(n, held);
      held -= g;
      used.addAndGet(-g);
    }

    synchronized long held() { return held; }

    @Override public void close() { give(held); }
  }

  static String mib(long bytes) {
    return bytes >= 10L << 20 ? (bytes >> 20) + " MiB" : String.format("%.1f MiB", bytes / 1048576.0);
  }
}
