package dev.ddsls.cli.coldstart;

import java.util.concurrent.ThreadLocalRandom;

/** A fresh X-Ray trace header as Lambda passes it in {@code Lambda-Runtime-Trace-Id}: sampled, with a parent. */
final class XRayTraceHeader {
  private XRayTraceHeader() {}

  static String fresh() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long epochSeconds = System.currentTimeMillis() / 1000;
    // The root's 96-bit unique part: 8 hex digits from one int, 16 from one long.
    String unique = String.format("%08x%016x", r.nextInt(), r.nextLong());
    String parent = String.format("%016x", r.nextLong());
    return "Root=1-" + String.format("%08x", epochSeconds) + "-" + unique + ";Parent=" + parent + ";Sampled=1";
  }
}
