package dev.ddsls.cli.collect;

/**
 * The application of {@link DdJavaAgentInteropTest}: run under dd-java-agent, whose {@code dd.trace.methods} makes a
 * span of every {@link #handle} call. Each call burns CPU in {@link #burn} (cpu samples) and sleeps three times as
 * long (wall samples): a tracer's profiles get samples of both while its CPU stays mostly its own start.
 */
public final class TracedApp {
  static volatile long sink;

  public static void main(String[] args) throws Exception {
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000L;
    while (System.nanoTime() < end) handle();
  }

  public static void handle() throws InterruptedException {
    burn(10);
    Thread.sleep(30);
  }

  /** Plain arithmetic, so that the CPU time is this frame's own (self) time, not a JDK method's. */
  static void burn(long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    long x = 88172645463325252L;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 100_000; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
    }
    sink += x;
  }
}
