package dev.ddsls.agent.lambda;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Holds a response (head and raw body) back from the runtime until it is complete, so the listener sees the
 * invocation before the runtime does. Past {@code cap} body bytes it stops holding and streams: the runtime is
 * never starved to protect the listener.
 */
final class HeldResponse extends OutputStream {
  private final OutputStream target;
  private final byte[] head;
  private final int cap;
  private byte[] buf;
  private int count;
  private boolean released;

  /** {@code expectedLength} (or a negative framing constant) sizes the buffer once, so a full event is not copied. */
  HeldResponse(OutputStream target, byte[] head, int cap, long expectedLength) {
    this.target = target;
    this.head = head;
    this.cap = cap;
    this.buf = new byte[expectedLength >= 0 && expectedLength <= cap ? (int) expectedLength : 8192];
  }

  @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

  @Override public void write(byte[] b, int off, int len) throws IOException {
    if (!released && count + (long) len > cap) release();
    if (released) {
      target.write(b, off, len);
      return;
    }
    if (count + len > buf.length) buf = Arrays.copyOf(buf, (int) Math.min(cap, Math.max(2L * buf.length, count + len)));
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  @Override public void flush() throws IOException { if (released) target.flush(); }

  /** Whether the body outgrew the cap and was streamed to the runtime already. */
  boolean released() { return released; }

  /** The held body bytes (the buffer itself when it is exactly full: no copy of a multi-MB event). */
  byte[] body() { return count == buf.length ? buf : Arrays.copyOf(buf, count); }

  /** Writes the head and the held body to the target (not flushed); later writes go straight through. */
  void release() throws IOException {
    if (released) return;
    released = true;
    target.write(head);
    target.write(buf, 0, count);
    buf = null;
  }
}
