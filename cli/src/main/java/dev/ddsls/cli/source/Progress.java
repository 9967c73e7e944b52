package dev.ddsls.cli.source;

import java.io.PrintStream;

/** Progress of long fetches on stderr, one rewritten line, only when stderr is a terminal and not --quiet. */
public final class Progress {
  private final PrintStream err;
  private final boolean on;
  private long lastPrint;

  public Progress(PrintStream err, boolean on) {
    this.err = err;
    this.on = on;
  }

  public static Progress forTerminal(boolean quiet) { return new Progress(System.err, !quiet && System.console() != null); }

  public void update(String what) {
    if (!on) return;
    long now = System.nanoTime();
    if (now - lastPrint < 200_000_000L) return;
    lastPrint = now;
    err.print("\r\u001b[2K" + what);
    err.flush();
  }

  public void done() {
    if (on && lastPrint != 0) {
      err.print("\r\u001b[2K");
      err.flush();
    }
  }
}
