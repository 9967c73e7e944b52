package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentLog;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Span and trace ids as Datadog's tracers make them: nonzero, positive 63-bit; 128-bit trace ids start with epoch
 * seconds. One SplitMix64 sequence for the process, so that a SnapStart restore can reseed it: a generator whose
 * state is in the snapshot repeats the same ids in every restored copy (ThreadLocalRandom's seeds included), so
 * {@link #reseed} draws a new seed from {@code /dev/urandom}, which AWS's SnapStart uniqueness guide names as safe
 * after a restore (else from a new {@link SecureRandom}, the guide's Java CSPRNG).
 */
final class Ids {
  private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
  /** Seeded cheaply at start (this runs during the cold start); reseeded after a restore. */
  private static final AtomicLong STATE = new AtomicLong(ThreadLocalRandom.current().nextLong() ^ System.nanoTime());

  /**
   * This runtime's id, a version-4 UUID as Datadog's tracers make theirs: on the profiles and the invocation spans.
   * Renewed with the ids after a restore: each restored copy is a runtime of its own.
   */
  private static volatile String runtimeId = uuid(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong());

  private Ids() {}

  static String runtimeId() { return runtimeId; }

  private static String uuid(long a, long b) {
    long hi = (a & ~0xF000L) | 0x4000L;                       // version 4
    long lo = (b & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(hi, lo).toString();
  }

  static long newId() {
    long id;
    do {
      id = mix(STATE.addAndGet(GOLDEN_GAMMA)) & 0x7FFF_FFFF_FFFF_FFFFL;
    } while (id == 0);
    return id;
  }

  /** High 64 bits of a new 128-bit trace id: {@code <epoch seconds:32><zeros:32>}, as dd-trace-java does. */
  static long newTraceIdHigh(long epochMillis) { return (epochMillis / 1000) << 32; }

  /** Sets the sequence's state (tests: the state a snapshot holds). */
  static void seed(long state) { STATE.set(state); }

  /** After a restore: a seed no other copy of the snapshot has. */
  static void reseed() {
    long seed = freshSeed();
    STATE.set(seed);
    runtimeId = uuid(mix(seed ^ GOLDEN_GAMMA), mix(seed + 2 * GOLDEN_GAMMA));
  }

  static long freshSeed() {
    byte[] b = new byte[8];
    try (InputStream in = new FileInputStream("/dev/urandom")) {
      int n = 0;
      while (n < b.length) {
        int r = in.read(b, n, b.length - n);
        if (r < 0) throw new IOException("end of /dev/urandom");
        n += r;
      }
      long seed = 0;
      for (byte x : b) seed = seed << 8 | (x & 0xFF);
      return seed;
    } catch (IOException | RuntimeException e) {
      AgentLog.once("ids-urandom", "cannot read /dev/urandom (" + AgentLog.describe(e) + "); ids are reseeded from SecureRandom");
      return new SecureRandom().nextLong();
    }
  }

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014; java.util.SplittableRandom's mix64). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
