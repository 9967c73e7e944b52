package dev.ddsls.collector;

/** Keeps the store within --retention (age) and --max-size (bytes in use), dropping the oldest records first. */
public final class Retention {
  final long maxAgeMillis;
  final long maxBytes;

  public Retention(long maxAgeMillis, long maxBytes) {
    this.maxAgeMillis = maxAgeMillis;
    this.maxBytes = maxBytes;
  }

  /** Returns how many records were removed for age, plus batches removed for size. */
  public long enforce(Store store) throws Exception {
    long removed = store.deleteReceivedBefore(System.currentTimeMillis() - maxAgeMillis);
    while (store.usedBytes() > maxBytes && store.deleteOldestBatch()) removed++;
    return removed;
  }
}
