package dev.ddsls.collector;

/** The collector's limits against slow, stuck and oversized clients (docs/collector.md "Limits"). */
public final class Limits {
  /** Largest request body (--max-body): 413 above it. */
  final long maxBody;
  /** Bytes all requests may hold at once (--max-memory): see {@link MemoryBudget}. */
  final long memoryBudget;
  /** A request line plus headers over this many bytes: 431. */
  final int headerBytes;
  /** More header fields than this: 431. */
  final int maxHeaders;
  /** The headers of a request must arrive within this: else 408 and the connection is closed. */
  final long headerMillis;
  /** A body must arrive whole within this after its headers: else 408. */
  final long bodyMillis;
  /** A connection with nothing moving for this long is closed (also a blocked read or write). */
  final long idleMillis;
  /**
   * Bytes per second a body must keep up after its first second; each write of an answer gets the idle timeout plus
   * its bytes at this rate (both kept by {@link Deadlines}).
   */
  final long minDataRate;
  /** Connections open at once; past it the collector stops accepting until one closes. */
  final int maxConnections;

  public Limits(long maxBody, long memoryBudget, int headerBytes, int maxHeaders, long headerMillis, long bodyMillis, long idleMillis,
      long minDataRate, int maxConnections) {
    this.maxBody = maxBody;
    this.memoryBudget = memoryBudget;
    this.headerBytes = headerBytes;
    this.maxHeaders = maxHeaders;
    this.headerMillis = headerMillis;
    this.bodyMillis = bodyMillis;
    this.idleMillis = idleMillis;
    this.minDataRate = minDataRate;
    this.maxConnections = maxConnections;
  }

  /** The default memory budget: half the heap, leaving the rest to the store, the server and garbage not yet collected. */
  public static long defaultMemoryBudget() { return Runtime.getRuntime().maxMemory() / 2; }

  public static Limits defaults(long maxBody) { return defaults(maxBody, defaultMemoryBudget()); }

  public static Limits defaults(long maxBody, long memoryBudget) {
    return new Limits(maxBody, memoryBudget, 32 * 1024, 100, 10_000, 60_000, 10_000, 16 * 1024, 512);
  }
}
