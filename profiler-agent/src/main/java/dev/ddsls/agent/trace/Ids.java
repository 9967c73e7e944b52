package dev.ddsls.agent.trace;

import java.util.concurrent.ThreadLocalRandom;

/** Span and trace ids as Datadog's tracers make them: nonzero, positive 63-bit; 128-bit trace ids start with epoch seconds. */
final class Ids {
  private Ids() {}

  static long newId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong() & 0x7FFF_FFFF_FFFF_FFFFL;
    } while (id == 0);
    return id;
  }

  /** High 64 bits of a new 128-bit trace id: {@code <epoch seconds:32><zeros:32>}, as dd-trace-java does. */
  static long newTraceIdHigh(long epochMillis) { return (epochMillis / 1000) << 32; }
}
