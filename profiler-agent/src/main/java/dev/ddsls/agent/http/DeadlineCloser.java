package dev.ddsls.agent.http;

import java.net.Socket;
import java.util.ArrayList;

/**
 * Closes sockets whose deadline has passed. Socket timeouts bound connect and read, but not write: a peer that
 * stops reading would block a request body forever. One daemon thread, started on first use, idle otherwise.
 */
final class DeadlineCloser implements Runnable {
  /** One armed socket. {@code fired} tells the sender that a failure was the deadline, not the peer. */
  static final class Entry {
    final Socket socket;
    final long deadlineNanos;
    volatile boolean fired;

    Entry(Socket socket, long deadlineNanos) {
      this.socket = socket;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private static final DeadlineCloser INSTANCE = new DeadlineCloser();

  private final ArrayList<Entry> entries = new ArrayList<>();
  private boolean started;

  private DeadlineCloser() {}

  static Entry arm(Socket socket, long deadlineNanos) {
    Entry e = new Entry(socket, deadlineNanos);
    DeadlineCloser c = INSTANCE;
    synchronized (c) {
      c.entries.add(e);
      if (!c.started) {
        Thread t = new Thread(c, "ddsls-http-deadline");
        t.setDaemon(true);
        t.start();
        c.started = true;
      }
      c.notifyAll();
    }
    return e;
  }

  static void disarm(Entry e) {
    DeadlineCloser c = INSTANCE;
    synchronized (c) {
      c.entries.remove(e);
    }
  }

  @Override
  public void run() {
    while (true) {
      Entry due = null;
      synchronized (this) {
        try {
          if (entries.isEmpty()) {
            wait();
            continue;
          }
          long now = System.nanoTime();
          long soonest = Long.MAX_VALUE;
          for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long left = e.deadlineNanos - now;
            if (left <= 0) {
              due = entries.remove(i);
              break;
            }
            if (left < soonest) soonest = left;
          }
          if (due == null) {
            long ms = soonest / 1_000_000L;
            wait(Math.max(1, ms), 0);
            continue;
          }
        } catch (InterruptedException ie) {
          return;
        }
      }
      due.fired = true;
      try {
        due.socket.close();
      } catch (Throwable ignored) {
        // already closed
      }
    }
  }
}
