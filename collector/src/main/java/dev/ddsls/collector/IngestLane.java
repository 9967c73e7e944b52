package dev.ddsls.collector;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingest work (decode, check, store) at most {@code slots} at a time, run by the thread that finished reading the
 * body when a slot is free, else queued for the next thread that frees one; past {@code maxWaiting} queued, refused.
 * Running it where the body was read saves a hand-off to another thread per request: on a loaded machine each
 * hand-off waits for a turn on a CPU, and a pool of its own cost ingest a third of its throughput there.
 */
final class IngestLane {
  private final Semaphore slots;
  private final int maxWaiting;
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waitingCount = new AtomicInteger();

  IngestLane(int slots, int maxWaiting) {
    this.slots = new Semaphore(slots);
    this.maxWaiting = maxWaiting;
  }

  /** Runs {@code work} now or later; false (and nothing queued) when the queue is full. */
  boolean submit(Runnable work) {
    if (waitingCount.incrementAndGet() > maxWaiting) {
      waitingCount.decrementAndGet();
      return false;
    }
    waiting.add(work);
    // Whoever holds a slot empties the queue before giving the slot back, and looks again after: nothing is left behind.
    while (!waiting.isEmpty() && slots.tryAcquire()) {
      try {
        for (Runnable r; (r = waiting.poll()) != null; ) {
          waitingCount.decrementAndGet();
          r.run();
        }
      } finally {
        slots.release();
      }
    }
    return true;
  }
}
