package dev.ddsls.collector;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** What the collector has done, printed as one line per minute; malformed payloads logged at most once a minute. */
final class Counters {
  final AtomicLong received = new AtomicLong();
  final AtomicLong stored = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  private final PrintStream out;
  private long lastMalformedLog = Long.MIN_VALUE;
  private long malformedSinceLog;

  Counters(PrintStream out) { this.out = out; }

  String line() {
    return "ddsls collect: received=" + received.get() + " stored=" + stored.get() + " rejected=" + rejected.get()
        + " bytes=" + bytes.get();
  }

  void printLine() {
    out.println(line());
    out.flush();
  }

  /** Counts a refused payload; logs the reason unless a reason was logged less than a minute ago. */
  synchronized void malformed(String path, String reason) {
    rejected.incrementAndGet();
    malformedSinceLog++;
    long now = System.nanoTime();
    if (lastMalformedLog != Long.MIN_VALUE && now - lastMalformedLog < 60_000_000_000L) return;
    out.println("ddsls collect: rejected " + path + ": " + reason
        + (malformedSinceLog > 1 ? " (" + malformedSinceLog + " rejected since the last such line)" : ""));
    out.flush();
    lastMalformedLog = now;
    malformedSinceLog = 0;
  }
}
