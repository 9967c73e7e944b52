package dev.ddsls.agent.http;

import java.io.ByteArrayOutputStream;

/** Keeps the first {@code cap} bytes written and drops the rest: bounded memory for captured bodies. */
public final class CappedBuffer extends ByteArrayOutputStream {
  private final int cap;

  public CappedBuffer(int cap) {
    super(Math.min(cap, 8192));
    this.cap = cap;
  }

  @Override public synchronized void write(byte[] b, int off, int len) {
    int keep = Math.min(len, cap - count);
    if (keep > 0) super.write(b, off, keep);
  }

  @Override public synchronized void write(int b) {
    if (count < cap) super.write(b);
  }
}
