package dev.ddsls.agent.lambda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records every listener call in order; can make onResponse wait for a signal, and can throw from every call. */
class RecordingListener implements InvocationListener {
  /** One call: method name, request id (or null), nanoTime argument, error type, body, response byte count. */
  static final class Call {
    final String method;
    final String id;
    final long nanos;
    final String errorType;
    final byte[] body;
    final int bytes;
    final InvocationEvent event;

    Call(String method, String id, long nanos, String errorType, byte[] body, int bytes, InvocationEvent event) {
      this.method = method;
      this.id = id;
      this.nanos = nanos;
      this.errorType = errorType;
      this.body = body;
      this.bytes = bytes;
      this.event = event;
    }
  }

  final List<Call> calls = new ArrayList<>();
  volatile boolean throwing;
  /** When set, onResponse waits (up to 5 s) for it, and records whether it had to give up. */
  volatile CountDownLatch responseGate;
  volatile boolean responseGateTimedOut;

  synchronized List<Call> calls() { return new ArrayList<>(calls); }

  synchronized int count(String method) {
    int n = 0;
    for (Call c : calls) if (c.method.equals(method)) n++;
    return n;
  }

  Call await(String method, int nth) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      synchronized (this) {
        int n = 0;
        for (Call c : calls) if (c.method.equals(method) && ++n == nth) return c;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("listener never saw " + method + " #" + nth + "; saw " + names());
  }

  synchronized List<String> names() {
    List<String> out = new ArrayList<>();
    for (Call c : calls) out.add(c.method);
    return out;
  }

  private void record(Call c) {
    synchronized (this) {
      calls.add(c);
    }
    if (throwing) {
      if (c.method.equals("onInvocation")) throw new OutOfMemoryError("listener fails on purpose");
      throw new IllegalStateException("listener fails on purpose");
    }
  }

  @Override public void onNextRequested(long nanoTime) { record(new Call("onNextRequested", null, nanoTime, null, null, 0, null)); }

  @Override public void onInvocation(InvocationEvent event) {
    record(new Call("onInvocation", event.requestId(), event.receivedNanos(), null, event.payload(), 0, event));
  }

  @Override public void onResponse(String requestId, long nanoTime, int responseBytes) {
    CountDownLatch gate = responseGate;
    if (gate != null) {
      try {
        if (!gate.await(5, TimeUnit.SECONDS)) responseGateTimedOut = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    record(new Call("onResponse", requestId, nanoTime, null, null, responseBytes, null));
  }

  @Override public void onInvocationError(String requestId, long nanoTime, String errorType, byte[] body) {
    record(new Call("onInvocationError", requestId, nanoTime, errorType, body, 0, null));
  }

  @Override public void onInitError(long nanoTime, String errorType, byte[] body) {
    record(new Call("onInitError", null, nanoTime, errorType, body, 0, null));
  }

  @Override public void onCheckpoint(long nanoTime) { record(new Call("onCheckpoint", null, nanoTime, null, null, 0, null)); }

  @Override public void onRestored(long nanoTime) { record(new Call("onRestored", null, nanoTime, null, null, 0, null)); }

  @Override public void onRestoreError(long nanoTime, String errorType) {
    record(new Call("onRestoreError", null, nanoTime, errorType, null, 0, null));
  }
}
