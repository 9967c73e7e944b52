package dev.ddsls.agent;

import dev.ddsls.agent.lambda.Invocation;
import dev.ddsls.agent.lambda.InvocationTracker;
import dev.ddsls.agent.pprof.ProfileAssembler;
import dev.ddsls.agent.sampling.Sample;
import dev.ddsls.agent.sampling.SamplingEngine;
import dev.ddsls.agent.trace.InvocationSpans;
import dev.ddsls.agent.trace.Span;
import dev.ddsls.agent.upload.Uploader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flushes on its own thread ({@code ddsls-flush}), never on the function's: after each invocation it sends that
 * invocation's span; after the cold start's first invocation, when the upload period is due, and at shutdown it
 * also rotates the recording and sends the profiles. The runtime's next {@code /next} waits for a flush under way
 * for at most the flush budget, so no response is ever delayed and no invocation waits longer than the budget.
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
      spansDue = true;
      if (!coldProfileSent || now - lastProfileNanos >= config.uploadPeriodMillis * 1_000_000L) profileDue = true;
      deadlineNanos = now + config.flushBudgetMillis * 1_000_000L;
      lock.notifyAll();
    }
  }

  @Override public void awaitFlush() {
    long end = System.nanoTime() + config.flushBudgetMillis * 1_000_000L;
    synchronized (lock) {
      while ((busy || spansDue || profileDue) && !closed) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          AgentLog.once("flush-budget", "a flush took longer than DDSLS_FLUSH_BUDGET_MS=" + config.flushBudgetMillis
              + "; the function went on without waiting for it");
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
        deadline = deadlineNanos;
        spansDue = false;
        profileDue = false;
        busy = true;
      }
      long began = System.nanoTime();
      try {
        flush(spans, profile, false, deadline);
        if (config.debug) AgentLog.info("flush (" + (profile ? "spans and profile" : "spans") + ") took " + (System.nanoTime() - began) / 1_000_000 + " ms");
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
      flush(true, true, true, deadline);
    } catch (Throwable t) {
      AgentLog.once("flush-failed", "flush at shutdown failed: " + AgentLog.describe(t));
    }
  }

  private void flush(boolean spans, boolean profile, boolean last, long deadline) {
    List<Invocation> ended = lambda ? tracker.drainFinished() : Collections.<Invocation>emptyList();
    unattributed.addAll(ended);
    if (spans && !ended.isEmpty()) sendSpans(ended);
    if (profile && engine != null) sendProfile(last);
    uploader().flush(deadline);
  }

  private void sendSpans(List<Invocation> ended) {
    List<Span> batch = new ArrayList<>(ended.size());
    for (Invocation inv : ended) {
      // Resolved already if the handler called TraceContext.current(); else parsed here, off the response path.
      if (inv.trace != null) batch.addAll(InvocationSpans.build(inv, inv.trace.resolve(), config, timeline));
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
    comments.put("ddsls.agent", dev.ddsls.agent.upload.AgentIdentity.AGENT_VERSION);
    boolean cold = lambda && !coldProfileSent;
    if (cold) {
      putMs(comments, "ddsls.phase.jvm_ms", timeline.jvmMs());
      putMs(comments, "ddsls.phase.agent_ms", timeline.agentMs());
      putMs(comments, "ddsls.phase.runtime_init_ms", timeline.runtimeInitMs());
      Invocation first = tracker.coldInvocation();
      if (first != null && first.endNanos != 0) putMs(comments, "ddsls.phase.first_invocation_ms", (first.endNanos - first.startNanos) / 1e6);
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

    List<String> names = new ArrayList<>(2);
    List<byte[]> parts = new ArrayList<>(2);
    if (profiles.cpu != null) { names.add("cpu.pprof"); parts.add(profiles.cpu.encodeGzipped()); }
    if (profiles.wall != null) { names.add("wall.pprof"); parts.add(profiles.wall.encodeGzipped()); }
    if (names.isEmpty()) return;

    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("profiler_engine", engine.kind());
    if (cold) tags.put("cold_start", "true");
    Map<String, Long> endpoints = new LinkedHashMap<>();
    if (lambda) endpoints.put(config.functionName != null ? config.functionName : config.service, invocationCount);
    uploader().submitProfile(start, end, names.toArray(new String[0]), parts.toArray(new byte[0][]), tags, comments, endpoints);
  }

  private synchronized Uploader uploader() {
    if (uploader == null) uploader = new Uploader(config);
    return uploader;
  }

  private static void putMs(Map<String, String> m, String key, double ms) {
    if (!Double.isNaN(ms)) m.put(key, String.format(java.util.Locale.ROOT, "%.3f", ms));
  }
}
