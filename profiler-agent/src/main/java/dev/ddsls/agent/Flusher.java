package dev.ddsls.agent;

import dev.ddsls.agent.sampling.Sample;
import dev.ddsls.agent.sampling.SamplingEngine;
import dev.ddsls.agent.trace.Invocation;
import dev.ddsls.agent.trace.InvocationSpans;
import dev.ddsls.agent.trace.Span;
import dev.ddsls.agent.upload.AgentIdentity;
import dev.ddsls.agent.upload.Uploader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Flushes on its own thread ({@code ddsls-flush}), never on the function's. Spans are sent at the end of an
 * invocation when the span flush period has passed since they were last sent (every invocation of sparse traffic,
 * batches of busy traffic); after the cold start's first invocation, when the upload period is due, and at shutdown
 * it also rotates the recording and sends the profiles. The runtime's next {@code /next} waits only for a flush that
 * is due, and at most the flush budget, so no response is ever delayed and a warm invocation rarely waits at all.
 *
 * <p>A circuit breaker guards the intake: after a flush that failed, outran the budget while sending, or answered
 * slower than {@code DDSLS_FLUSH_SLOW_MS} (a slow intake otherwise bills its latency to every invocation), invocations
 * stop waiting for the intake; what they produce is held (bounded by the uploader) and the intake is probed again at
 * the first flush after a back-off (1 s, doubling to 5 min), which sends what is held once it answers. One log line
 * per change of state.
 */
final class Flusher implements InvocationTracker.FlushControl, Runnable {
  private final AgentConfig config;
  private final Timeline timeline;
  private final InvocationTracker tracker;
  private volatile SamplingEngine engine;
  /** Made on the flush thread at the first flush: its classes need not load during premain. */
  private Uploader uploader;
  private final ProfileAssembler assembler;
  private final boolean lambda;

  private final Object lock = new Object();
  private boolean spansDue;
  private boolean profileDue;
  private boolean busy;
  private boolean closed;
  private long deadlineNanos;
  private long lastProfileNanos;
  private long profileStartEpochNanos;
  private boolean coldProfileSent;
  /** The cold start's flush has been taken up (with or without a profile: the engine may have failed to start). */
  private boolean coldFlushTaken;
  private long lastSpanFlushNanos;
  /** The flush thread is in the uploader's network part (so an outrun budget is the intake's fault). */
  private boolean sending;

  static final long FIRST_BACKOFF_MILLIS = 1000;
  static final long MAX_BACKOFF_MILLIS = 300_000;
  private boolean intakeDown;
  private long backoffMillis;
  private long retryAtNanos;
  /** How often a runtime's {@code /next} waited for a flush, and how often it waited the whole budget (for tests). */
  private long flushWaits;
  private long budgetsOutrun;
  /** Invocations kept for attributing samples until the recording that covers them has been rotated. */
  private final List<Invocation> unattributed = new ArrayList<>();

  Flusher(AgentConfig config, Timeline timeline, InvocationTracker tracker) {
    this.config = config;
    this.timeline = timeline;
    this.tracker = tracker;
    this.lambda = tracker != null;
    String endpoint = config.functionName != null ? config.functionName : config.service;
    this.assembler = new ProfileAssembler(timeline, lambda, endpoint, config.intervalNanos, config.ignoreProfiler,
        config.wall == AgentConfig.Wall.INIT);
    this.lastProfileNanos = System.nanoTime();
    this.profileStartEpochNanos = timeline.toEpochNanos(timeline.premainStartNanos);
  }

  /** The engine, once started (it may start after the flusher, beside the runtime's start-up). */
  void setEngine(SamplingEngine engine) { this.engine = engine; }

  @Override public void invocationEnded(Invocation invocation) {
    long now = System.nanoTime();
    synchronized (lock) {
      boolean cold = !coldFlushTaken;
      if (cold || now - lastProfileNanos >= config.uploadPeriodMillis * 1_000_000L) profileDue = true;
      if (cold || profileDue || now - lastSpanFlushNanos >= config.spanFlushPeriodMillis * 1_000_000L) spansDue = true;
      if (!spansDue && !profileDue) return; // held for a later invocation or shutdown: nothing to wait for
      deadlineNanos = now + config.flushBudgetMillis * 1_000_000L;
      lock.notifyAll();
    }
  }

  @Override public void awaitFlush() {
    long end = System.nanoTime() + config.flushBudgetMillis * 1_000_000L;
    synchronized (lock) {
      if (intakeDown || !(busy || spansDue || profileDue) || closed) return;
      flushWaits++;
      while ((busy || spansDue || profileDue) && !closed && !intakeDown) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          budgetsOutrun++;
          if (sending) {
            intakeFailed("no answer within DDSLS_FLUSH_BUDGET_MS=" + config.flushBudgetMillis);
          } else {
            AgentLog.once("flush-budget", "a flush took longer than DDSLS_FLUSH_BUDGET_MS=" + config.flushBudgetMillis
                + "; the function went on without waiting for it");
          }
          return;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override public void run() {
    while (true) {
      boolean spans, profile;
      long deadline;
      synchronized (lock) {
        try {
          while (!spansDue && !profileDue && !closed) {
            if (lambda) {
              lock.wait();
            } else {
              long wait = config.uploadPeriodMillis - (System.nanoTime() - lastProfileNanos) / 1_000_000L;
              if (wait <= 0) {
                profileDue = true;
                deadlineNanos = System.nanoTime() + config.flushBudgetMillis * 1_000_000L;
                break;
              }
              lock.wait(wait);
            }
          }
        } catch (InterruptedException e) {
          return;
        }
        if (closed) return;
        spans = spansDue;
        profile = profileDue;
        coldFlushTaken = true;
        deadline = deadlineNanos;
        spansDue = false;
        profileDue = false;
        busy = true;
      }
      long began = System.nanoTime();
      try {
        Sent sent = flush(spans, profile, false, deadline);
        synchronized (lock) {
          if (sent == Sent.FAILED) intakeFailed("a request failed");
          else if (sent == Sent.SLOW) intakeFailed("it answered after more than DDSLS_FLUSH_SLOW_MS=" + config.flushSlowMillis + " ms");
          else if (sent == Sent.ALL && intakeDown) intakeAnswers();
        }
        if (config.debug) AgentLog.info("flush (" + (profile ? "spans and profile" : "spans") + ", " + sent + ") took " + (System.nanoTime() - began) / 1_000_000 + " ms");
      } catch (Throwable t) {
        AgentLog.once("flush-failed", "flush failed (" + AgentLog.describe(t) + "); the function is unaffected");
      } finally {
        synchronized (lock) {
          busy = false;
          lock.notifyAll();
        }
      }
    }
  }

  /** At shutdown (SIGTERM): stop sampling and send what is left within the budget, on the calling thread. */
  void shutdown(long budgetMillis) {
    long deadline = System.nanoTime() + budgetMillis * 1_000_000L;
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
      // let a flush under way finish first (bounded by the same budget)
      while (busy && System.nanoTime() < deadline) {
        try {
          lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        } catch (InterruptedException e) {
          break;
        }
      }
    }
    try {
      if (lambda) tracker.endAtShutdown(Math.min(100, budgetMillis / 4));
      flush(true, true, true, deadline); // the last chance: sent even when the breaker is open
    } catch (Throwable t) {
      AgentLog.once("flush-failed", "flush at shutdown failed: " + AgentLog.describe(t));
    }
  }

  /**
   * What a flush did with the intake: sent all it held, sent it all but slower than the slow threshold, failed, or
   * held everything (the breaker is open).
   */
  enum Sent { ALL, SLOW, FAILED, HELD }

  private Sent flush(boolean spans, boolean profile, boolean last, long deadline) {
    List<Invocation> ended = lambda ? tracker.drainFinished() : Collections.<Invocation>emptyList();
    unattributed.addAll(ended);
    if (spans && !ended.isEmpty()) sendSpans(ended);
    if (profile && engine != null) sendProfile(last);
    synchronized (lock) {
      if (spans) lastSpanFlushNanos = System.nanoTime();
      // While the breaker is open, send only as a probe: after the back-off, and with something to send.
      if (!last && intakeDown && (System.nanoTime() - retryAtNanos < 0 || !uploader().hasPending())) return Sent.HELD;
      sending = true;
    }
    long began = System.nanoTime();
    try {
      if (!uploader().flush(deadline)) return Sent.FAILED;
      // Out of time before everything went: held, not an answer that closes the breaker.
      if (uploader().hasPending()) return Sent.HELD;
      return System.nanoTime() - began > config.flushSlowMillis * 1_000_000L && !last ? Sent.SLOW : Sent.ALL;
    } finally {
      synchronized (lock) {
        sending = false;
      }
    }
  }

  /** Caller holds the lock. Opens the breaker (one log line), or backs off further when a probe failed. */
  private void intakeFailed(String why) {
    long now = System.nanoTime();
    if (!intakeDown) {
      intakeDown = true;
      backoffMillis = FIRST_BACKOFF_MILLIS;
      AgentLog.info("the intake failed (" + why + "): invocations no longer wait for it; what they produce is held"
          + " and sent when it answers again (probed after " + FIRST_BACKOFF_MILLIS + " ms, then less often)");
    } else if (now - retryAtNanos >= 0) {
      backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    } else {
      return; // a flush that started before the breaker opened: the back-off already runs
    }
    retryAtNanos = now + backoffMillis * 1_000_000L;
  }

  /** Caller holds the lock. Closes the breaker after a probe sent everything. */
  private void intakeAnswers() {
    intakeDown = false;
    AgentLog.info("the intake answers again: what was held has been sent; invocations wait for due flushes again");
  }

  /** For tests: {@code /next} calls that waited for a flush, and those that waited the whole budget. */
  long[] waits() {
    synchronized (lock) {
      return new long[] {flushWaits, budgetsOutrun};
    }
  }

  boolean intakeDown() {
    synchronized (lock) {
      return intakeDown;
    }
  }

  private void sendSpans(List<Invocation> ended) {
    List<Span> batch = new ArrayList<>(ended.size());
    for (Invocation inv : ended) {
      // Resolved already if the handler called TraceContext.current(); else parsed here, off the response path.
      if (inv.trace() != null) batch.addAll(InvocationSpans.build(inv, config, timeline));
    }
    if (!batch.isEmpty() && (config.traceEnabled || config.outputDir != null)) uploader().submitSpans(batch);
  }

  private void sendProfile(boolean last) {
    long nowNanos = System.nanoTime();
    boolean keepWall = config.wall == AgentConfig.Wall.ALWAYS;
    List<Sample> samples = last ? engine.stop() : engine.rotate(keepWall);
    long start = profileStartEpochNanos;
    long end = timeline.toEpochNanos(nowNanos);
    profileStartEpochNanos = end;
    lastProfileNanos = nowNanos;

    Map<String, String> comments = new LinkedHashMap<>();
    comments.put("ddsls.engine", engine.description());
    comments.put("ddsls.agent", AgentIdentity.AGENT_VERSION);
    boolean cold = lambda && !coldProfileSent;
    if (cold) {
      putMs(comments, "ddsls.phase.jvm_ms", timeline.jvmMs());
      putMs(comments, "ddsls.phase.agent_ms", timeline.agentMs());
      putMs(comments, "ddsls.phase.runtime_init_ms", timeline.runtimeInitMs());
      Invocation first = tracker.coldInvocation();
      long firstEnd = first == null ? 0 : first.endNanos();
      if (firstEnd != 0) putMs(comments, "ddsls.phase.first_invocation_ms", (firstEnd - first.startNanos()) / 1e6);
      if (tracker.initError() != null) comments.put("ddsls.init_error", tracker.initError());
    }
    List<Invocation> owners = new ArrayList<>(unattributed);
    Invocation running = lambda ? tracker.current() : null;
    if (running != null) owners.add(running);
    ProfileAssembler.Profiles profiles = assembler.assemble(samples, owners, lambda ? tracker.coldInvocation() : null, start, end, comments);
    coldProfileSent = true;
    long invocationCount = unattributed.size();
    // Invocations that ended before this rotation are covered; a running one stays for the next recording.
    unattributed.clear();

    List<Uploader.Attachment> attachments = new ArrayList<>(2);
    if (profiles.cpu != null) attachments.add(new Uploader.Attachment("cpu.pprof", profiles.cpu.encodeGzipped()));
    if (profiles.wall != null) attachments.add(new Uploader.Attachment("wall.pprof", profiles.wall.encodeGzipped()));
    if (attachments.isEmpty()) return;

    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("profiler_engine", engine.kind());
    if (cold) tags.put("cold_start", "true");
    Map<String, Long> endpoints = new LinkedHashMap<>();
    if (lambda) endpoints.put(config.functionName != null ? config.functionName : config.service, invocationCount);
    uploader().submitProfile(start, end, attachments, tags, comments, endpoints);
  }

  private synchronized Uploader uploader() {
    if (uploader == null) uploader = new Uploader(config);
    return uploader;
  }

  private static void putMs(Map<String, String> m, String key, double ms) {
    if (!Double.isNaN(ms)) m.put(key, String.format(Locale.ROOT, "%.3f", ms));
  }
}
