package dev.ddsls.collector;

/**
 * The heap a decoder keeps, estimated as it builds (objects and strings it holds until the request is stored), and
 * taken from the request's share of the {@link MemoryBudget} in steps of a MiB, so that a payload of a million tiny
 * spans is refused once its objects pass the budget instead of once the heap is full.
 */
final class DecodeCost {
  /** A span: its object, its two maps and its slot in the list (JDK 17, compressed oops; measured about 200). */
  static final long SPAN = 240;
  /** A map entry (node and table slot); metrics also box a Double. */
  static final long ENTRY = 72;
  private static final long STEP = 1 << 20;

  private final MemoryBudget.Share share;
  private final String what;
  private long pending;

  /** {@code share} null: unbounded (stored spans read back by the schema migration). */
  DecodeCost(MemoryBudget.Share share, String what) {
    this.share = share;
    this.what = what;
  }

  static DecodeCost unbounded() { return new DecodeCost(null, ""); }

  /** A kept string of {@code length} chars (Latin-1 or UTF-16: at most 2 bytes a char, plus headers). */
  static long string(int length) { return 48 + 2L * length; }

  void add(long bytes) throws MemoryBudget.Exceeded {
    pending += bytes;
    if (pending >= STEP) flush();
  }

  void flush() throws MemoryBudget.Exceeded {
    if (share != null && pending > 0) share.take(pending, what);
    pending = 0;
  }

  /** Takes {@code bytes} now, for an allocation about to be made. */
  void before(long bytes) throws MemoryBudget.Exceeded {
    if (share != null) share.take(bytes, what);
  }

  /** Gives back what {@link #before} took for a temporary allocation. */
  void after(long bytes) {
    if (share != null) share.give(bytes);
  }
}
