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
 *
 * <p>SnapStart: when the runtime asks for {@code /restore/next} the snapshot may follow at once, so the runtime's
 * request waits (bounded) while the init profile and the snapshot's init span are sent, and whatever could not be
 * sent is then dropped: a restored copy must not send it again, and every copy would. After the restore the breaker
 * starts closed, the engine is checked (and restarted if it stopped), and the first invocation's flush is due again.
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
  /**
   * Memory bound of {@link #unattributed}: the newest are kept. Each holds its event until the recording that covers it
   * is rotated (the upload period, 60 s by default): a sandbox serving a thousand invocations a second would otherwise
   * hold sixty thousand events (the agent soak's heap reached 150 MiB so).
   */
  static final int MAX_UNATTRIBUTED = 10_000;
  /** Invocations that ended since the last profile, kept or not (the profile's endpoint count). */
  private long endedSinceProfile;
  /** How long past its flush budget {@code /restore/next} waits for the checkpoint's flush to end (sends end at the budget). */
  static final long CHECKPOINT_GRACE_MILLIS = 500;
  /** SnapStart: the checkpoint's flush is asked for, and done; the restore's checks are asked for. */
  private boolean checkpointDue;
  private boolean checkpointDone;
  private boolean restoreDue;
  private long checkpointDeadlineNanos;
  /** When the engine's current recording began: its samples' wall-clock anchor (flush thread only). */
  private long recordingStartNanos;
  /** SnapStart: the snapshot's init span, whose id init samples carry; 0 before the checkpoint. */
  private long initSpanId;
  private boolean restoredProfileSent;
  /** Records the first invocation's classes (null: off, without Instrumentation or DDSLS_OUTPUT_DIR). */
  private volatile FirstInvocationClasses classes;
  private boolean classesBeforeDue;
  /** Uploads and spans dropped at the checkpoint because they could not be sent before the snapshot (for tests). */
  private long[] droppedAtCheckpoint = new long[2];

  Flusher(AgentConfig config, Timeline timeline, InvocationTracker tracker) {
    this.config = config;
    this.timeline = timeline;
    this.tracker = tracker;
    this.lambda = tracker != null;
    String endpoint = config.functionName != null ? config.functionName : config.service;
    this.assembler = new ProfileAssembler(timeline, lambda, endpoint, config.intervalNanos, config.ignoreProfiler,
        config.wall == AgentConfig.Wall.INIT, config.traceEnabled);
    this.lastProfileNanos = System.nanoTime();
    this.profileStartEpochNanos = timeline.toEpochNanos(timeline.premainStartNanos);
    this.recordingStartNanos = timeline.premainStartNanos;
  }

  void setClassRecorder(FirstInvocationClasses classes) { this.classes = classes; }

  /** On demand, init has ended: the flush thread notes the classes loaded so far (off the runtime's threads). */
  @Override public void initEnded() {
    if (classes == null) return;
    synchronized (lock) {
      classesBeforeDue = true;
      lock.notifyAll();
    }
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
      if (waitWhile(FOR_FLUSH, end)) return;
      budgetsOutrun++;
      if (sending) {
        intakeFailed("no answer within DDSLS_FLUSH_BUDGET_MS=" + config.flushBudgetMillis);
      } else {
        AgentLog.once("flush-budget", "a flush took longer than DDSLS_FLUSH_BUDGET_MS=" + config.flushBudgetMillis
            + "; the function went on without waiting for it");
      }
    }
  }

  /** What {@link #waitWhile} waits for: a due flush, or the checkpoint's flush. */
  private static final int FOR_FLUSH = 0, FOR_CHECKPOINT = 1;

  /**
   * Caller holds the lock. Waits on it while the flush ({@code FOR_FLUSH}) or the checkpoint's flush is under way,
   * until {@code endNanos}; true when it ended (or the thread was interrupted), false when the time ran out first.
   * No lambda: this runs on the runtime's {@code /next}, where a first lambda would link the invoke machinery.
   */
  private boolean waitWhile(int what, long endNanos) {
    while (what == FOR_FLUSH ? (busy || spansDue || profileDue) && !closed && !intakeDown : !checkpointDone && !closed) {
      long left = endNanos - System.nanoTime();
      if (left <= 0) return false;
      try {
        lock.wait(Math.max(1, left / 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
    return true;
  }

  @Override public void checkpoint() {
    // Building the init profile (reading the whole init recording) gets a budget of its own, then the sends theirs.
    long budget = config.flushBudgetMillis * 1_000_000L;
    long start = System.nanoTime();
    long end = start + 2 * budget + CHECKPOINT_GRACE_MILLIS * 1_000_000L;
    synchronized (lock) {
      if (closed || checkpointDue || checkpointDone) return;
      checkpointDue = true;
      checkpointDeadlineNanos = start + 2 * budget;
      lock.notifyAll();
      if (!waitWhile(FOR_CHECKPOINT, end)) {
        AgentLog.info("the flush before the SnapStart snapshot took longer than twice DDSLS_FLUSH_BUDGET_MS=" + config.flushBudgetMillis
            + " (+" + CHECKPOINT_GRACE_MILLIS + " ms); the snapshot goes ahead, and what it had not sent is dropped, not sent again");
      }
    }
  }

  @Override public void restored() {
    synchronized (lock) {
      restoreDue = true;
      // A new copy: its intake connections are new too (the breaker's state describes the snapshot's), and the
      // first invocation's flush, with the restore's profile, is due as a cold start's is.
      intakeDown = false;
      coldFlushTaken = false;
      lock.notifyAll();
    }
  }

  /** For tests: profile uploads and spans dropped at the checkpoint. */
  long[] droppedAtCheckpoint() {
    synchronized (lock) {
      return droppedAtCheckpoint.clone();
    }
  }

  @Override public void run() {
    while (true) {
      boolean spans, profile, checkpoint, restore, checkEngine = false, cold = false;
      long deadline;
      synchronized (lock) {
        try {
          while (!spansDue && !profileDue && !checkpointDue && !restoreDue && !classesBeforeDue && !closed) {
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
        checkpoint = checkpointDue;
        boolean classesBefore = classesBeforeDue && !checkpoint;
        restore = (restoreDue || classesBefore) && !checkpoint;
        spans = spansDue && !checkpoint && !restore;
        profile = profileDue && !checkpoint && !restore;

        if (checkpoint) {
          deadline = checkpointDeadlineNanos;
          checkpointDue = false;
        } else if (restore) {
          deadline = 0;
          checkEngine = restoreDue;
          restoreDue = false;
          classesBeforeDue = false;
        } else {
          cold = !coldFlushTaken;
          coldFlushTaken = true;
          deadline = deadlineNanos;
          spansDue = false;
          profileDue = false;
        }
        busy = true;
      }
      long began = System.nanoTime();
      try {
        if (checkpoint || restore) {
          try {
            if (checkpoint) {
              checkpointFlush(deadline);
            } else {
              if (checkEngine) checkEngineAfterRestore();
              FirstInvocationClasses c = classes;
              if (c != null && !timeline.isRestored()) markClasses(c);
            }
          } finally {
            synchronized (lock) {
              if (checkpoint) checkpointDone = true;
            }
          }
          if (config.debug) AgentLog.info((checkpoint ? "checkpoint flush" : "restore checks") + " took " + (System.nanoTime() - began) / 1_000_000 + " ms");
          continue;
        }
        FirstInvocationClasses c = cold ? classes : null;
        if (c != null) markClassesAfter(c);
        Sent sent = flush(spans, profile, false, deadline);
        synchronized (lock) {
          if (sent == Sent.FAILED) intakeFailed("a request failed");
          else if (sent == Sent.SLOW) intakeSlow();
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
      // After the flush, so the runtime's /next never waits for it.
      if (cold) writeFirstInvocationClasses();
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
    try {
      // The intake failed at some point: one line of what was sent, dropped and left unsent in this sandbox's life.
      Uploader u;
      synchronized (this) {
        u = uploader;
      }
      String summary = u == null ? null : u.degradedSummary();
      if (summary != null) AgentLog.info("uploads at shutdown: " + summary);
    } catch (Throwable t) {
      AgentLog.once("summary-failed", "upload summary failed: " + AgentLog.describe(t));
    }
  }

  /**
   * SnapStart, before the snapshot: the spans of any invocation so far, the snapshot's init span and the init
   * profile are sent within the budget; then everything still pending is dropped (counted, one log line), so that no
   * restored copy sends it.
   */
  private void checkpointFlush(long hardDeadline) {
    List<Invocation> ended = lambda ? tracker.drainFinished() : Collections.<Invocation>emptyList();
    keepForAttribution(ended);
    if (!ended.isEmpty()) sendSpans(ended);
    Span init = InvocationSpans.snapshotInit(config, timeline);
    initSpanId = init.spanId();
    if (config.traceEnabled || config.outputDir != null) {
      List<Span> one = new ArrayList<>(1);
      one.add(init);
      uploader().submitSpans(one);
    }
    if (engine != null) sendProfile(false, true);
    long deadline = System.nanoTime() + config.flushBudgetMillis * 1_000_000L;
    uploader().flush(hardDeadline - deadline < 0 ? hardDeadline : deadline);
    long[] dropped = uploader().discardPending();
    synchronized (lock) {
      droppedAtCheckpoint = dropped;
      coldFlushTaken = true;
      lastSpanFlushNanos = System.nanoTime();
    }
    // After this flush's own class loading: what loads from here on is the restored copies' to pay.
    FirstInvocationClasses c = classes;
    if (c != null) markClasses(c);
    if (dropped[0] + dropped[1] > 0) {
      AgentLog.info("before the SnapStart snapshot " + dropped[0] + " profile upload(s) and " + dropped[1]
          + " span(s) could not be sent; dropped, so that restored copies do not send them again (DDSLS_OUTPUT_DIR has them)");
    }
  }

  private void markClasses(FirstInvocationClasses c) {
    long from = System.nanoTime();
    try {
      c.markBefore();
    } catch (Throwable t) {
      AgentLog.once("classes", "cannot list the loaded classes (" + AgentLog.describe(t) + "); no first-invocation class list");
      classes = null;
    }
    if (config.debug) AgentLog.info("loaded classes noted in " + Agent.ms(System.nanoTime() - from) + " ms");
  }

  /** The first invocation's flush, before its own work loads classes: the second snapshot. */
  private void markClassesAfter(FirstInvocationClasses c) {
    long from = System.nanoTime();
    try {
      c.markAfter();
    } catch (Throwable t) {
      AgentLog.once("classes", "cannot list the loaded classes (" + AgentLog.describe(t) + "); no first-invocation class list");
      classes = null;
    }
    if (config.debug) AgentLog.info("loaded classes noted again in " + Agent.ms(System.nanoTime() - from) + " ms");
  }

  /** After the first invocation's flush: the classes loaded between the two snapshots, to DDSLS_OUTPUT_DIR. */
  private void writeFirstInvocationClasses() {
    FirstInvocationClasses c = classes;
    if (c == null) return;
    long from = System.nanoTime();
    try {
      List<FirstInvocationClasses.Loaded> loaded = c.loadedSince();
      if (loaded == null) return;
      Invocation first = tracker.coldInvocation();
      String initType = timeline.isRestored() ? "snap-start" : config.initializationType != null ? config.initializationType : "on-demand";
      uploader().writeClassList(FirstInvocationClasses.format(loaded,
          config.functionName != null ? config.functionName : config.service, initType, first == null ? null : first.requestId()));
      if (config.debug) AgentLog.info(loaded.size() + " classes first loaded by the first invocation, listed in " + Agent.ms(System.nanoTime() - from) + " ms");
    } catch (Throwable t) {
      AgentLog.once("classes", "cannot list the loaded classes (" + AgentLog.describe(t) + "); no first-invocation class list");
    } finally {
      classes = null;
    }
  }

  /** In a restored copy, on the flush thread: the sampling engine must still sample. */
  private void checkEngineAfterRestore() {
    SamplingEngine e = engine;
    long now = System.nanoTime();
    if (e != null && e.restartIfStopped()) recordingStartNanos = now; // a new recording, anchored by the restored clock
  }

  /**
   * What a flush did with the intake: sent all it held, sent it all but slower than the slow threshold, failed, or
   * held everything (the breaker is open).
   */
  enum Sent { ALL, SLOW, FAILED, HELD }

  private Sent flush(boolean spans, boolean profile, boolean last, long deadline) {
    List<Invocation> ended = lambda ? tracker.drainFinished() : Collections.<Invocation>emptyList();
    keepForAttribution(ended);
    if (spans && !ended.isEmpty()) sendSpans(ended);
    if (profile && engine != null) sendProfile(last, false);
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

  /**
   * Caller holds the lock. A flush that sent everything, slower than {@code DDSLS_FLUSH_SLOW_MS}: invocations stop
   * waiting for the intake (its latency would be billed to each of them), but it answers, so it is probed again
   * after the first back-off, not a growing one: what is held keeps going out, off the billed path.
   */
  private void intakeSlow() {
    if (!intakeDown) {
      intakeDown = true;
      AgentLog.info("the intake answered after more than DDSLS_FLUSH_SLOW_MS=" + config.flushSlowMillis + " ms: invocations no longer"
          + " wait for it; what they produce is sent every " + FIRST_BACKOFF_MILLIS + " ms at most, until it answers in time");
    }
    backoffMillis = FIRST_BACKOFF_MILLIS;
    retryAtNanos = System.nanoTime() + backoffMillis * 1_000_000L;
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

  /** For tests: the current back-off, and whether it has run out (the next flush with something held probes). */
  long backoffMillis() {
    synchronized (lock) {
      return backoffMillis;
    }
  }

  boolean probeDue() {
    synchronized (lock) {
      return System.nanoTime() - retryAtNanos >= 0;
    }
  }

  boolean intakeDown() {
    synchronized (lock) {
      return intakeDown;
    }
  }

  /** For tests: whether a flush is under way (its answer not yet judged). */
  boolean flushing() {
    synchronized (lock) {
      return busy;
    }
  }

  /** Keeps ended invocations to attribute the next profile's samples to, the newest {@link #MAX_UNATTRIBUTED}. */
  void keepForAttribution(List<Invocation> ended) {
    unattributed.addAll(ended);
    endedSinceProfile += ended.size();
    int excess = unattributed.size() - MAX_UNATTRIBUTED;
    if (excess > 0) {
      unattributed.subList(0, excess).clear();
      AgentLog.once("attribution-bound", "more than " + MAX_UNATTRIBUTED + " invocations ended since the last profile: only the newest are"
          + " kept to tie samples to (the others' samples stay in the profile, without their span)");
    }
  }

  /** For tests: invocations kept for attribution, and those ended since the last profile. */
  long[] attributionCounts() { return new long[] {unattributed.size(), endedSinceProfile}; }

  private void sendSpans(List<Invocation> ended) {
    List<Span> batch = new ArrayList<>(ended.size());
    for (Invocation inv : ended) {
      // Resolved already if the handler called TraceContext.current(); else parsed here, off the response path.
      if (inv.trace() != null) batch.addAll(InvocationSpans.build(inv, config, timeline));
    }
    if (!batch.isEmpty() && (config.traceEnabled || config.outputDir != null)) uploader().submitSpans(batch);
  }

  /** @param checkpoint SnapStart, before the snapshot: the next recording samples finely, for the restore */
  private void sendProfile(boolean last, boolean checkpoint) {
    long nowNanos = System.nanoTime();
    boolean keepWall = config.wall == AgentConfig.Wall.ALWAYS;
    long recordingStart = recordingStartNanos;
    recordingStartNanos = nowNanos;
    List<Sample> samples = last ? engine.stop() : checkpoint ? engine.rotateFine() : engine.rotate(keepWall);
    long rotated = System.nanoTime();
    long start = profileStartEpochNanos;
    long restore = timeline.restoreNanos;
    // A recording begun before the snapshot covers this copy only from its restore, by this copy's clock.
    if (restore != 0 && recordingStart - restore < 0) start = timeline.toEpochNanos(restore);
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
      if (checkpoint) comments.put("ddsls.init_type", "snap-start");
    }
    boolean restoredCold = lambda && timeline.isRestored() && !restoredProfileSent;
    if (restoredCold) {
      comments.put("ddsls.init_type", "snap-start");
      putMs(comments, "ddsls.phase.restore_ms", timeline.restoreMs());
      Invocation first = tracker.coldInvocation();
      long firstEnd = first == null ? 0 : first.endNanos();
      if (firstEnd != 0) putMs(comments, "ddsls.phase.first_invocation_ms", (firstEnd - first.startNanos()) / 1e6);
      if (tracker.restoreError() != null) comments.put("ddsls.restore_error", tracker.restoreError());
    }
    List<Invocation> owners = new ArrayList<>(unattributed);
    Invocation running = lambda ? tracker.current() : null;
    if (running != null) owners.add(running);
    ProfileAssembler.Profiles profiles = assembler.assemble(samples, owners, lambda ? tracker.coldInvocation() : null, initSpanId,
        recordingStart, start, end, comments);
    coldProfileSent = true;
    if (restoredCold) restoredProfileSent = true;
    long invocationCount = endedSinceProfile;
    // Invocations that ended before this rotation are covered; a running one stays for the next recording.
    unattributed.clear();
    endedSinceProfile = 0;

    long assembled = System.nanoTime();
    List<Uploader.Attachment> attachments = new ArrayList<>(2);
    if (profiles.cpu != null) attachments.add(new Uploader.Attachment("cpu.pprof", profiles.cpu.encodeGzipped()));
    if (profiles.wall != null) attachments.add(new Uploader.Attachment("wall.pprof", profiles.wall.encodeGzipped()));
    if (config.debug) {
      AgentLog.info("profile of " + samples.size() + " samples: recording rotated and read in " + Agent.ms(rotated - nowNanos)
          + " ms, assembled in " + Agent.ms(assembled - rotated) + " ms, encoded in " + Agent.ms(System.nanoTime() - assembled) + " ms");
    }
    if (attachments.isEmpty()) return;

    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("profiler_engine", engine.kind());
    if (cold) tags.put("cold_start", "true");
    if (cold && checkpoint || restoredCold) tags.put("init_type", "snap-start");
    if (restoredCold) tags.put("snapstart_restore", "true");
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
