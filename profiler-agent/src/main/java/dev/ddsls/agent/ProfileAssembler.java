package dev.ddsls.agent;

import dev.ddsls.agent.sampling.Sample;
import dev.ddsls.agent.trace.Invocation;
import dev.ddsls.formats.pprof.Frame;
import dev.ddsls.formats.pprof.ProfileBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns one recording's samples into a CPU and a wall-clock pprof, attributing each sample by time: before the
 * first {@code /next} it is {@code init} (and carries the ids of the first invocation, the one that paid for the
 * cold start), inside an invocation's window it is {@code invocation} with that invocation's ids, else {@code idle}.
 * Under SnapStart, init ends at {@code /restore/next} (its samples carry the snapshot's init span's id); samples
 * between that and the restore were taken before the snapshot and are dropped; from the restore to the runtime's
 * first {@code /next} (the afterRestore hooks) they are {@code restore}, and in the first invocation after it
 * {@code first_invocation_after_restore}, both with that invocation's ids.
 */
final class ProfileAssembler {
  static final String PHASE_INIT = "init";
  static final String PHASE_INVOCATION = "invocation";
  static final String PHASE_IDLE = "idle";
  static final String PHASE_RESTORE = "restore";
  static final String PHASE_FIRST_AFTER_RESTORE = "first_invocation_after_restore";

  private final Timeline timeline;
  private final String traceEndpoint;
  private final long intervalNanos;
  private final boolean ignoreProfiler;
  private final boolean wallOnlyInInit;
  private final boolean lambda;
  /**
   * False when ddsls sends no spans (DDSLS_TRACE_ENABLED=false beside Datadog's extension): its span ids would name
   * spans nobody has, so samples carry the invocation's request id only, by which diagnose joins them to the
   * extension's aws.lambda span (its request_id tag; docs/lambda-layer.md).
   */
  private final boolean spanLabels;

  int droppedAgentSamples;
  /** Samples taken between {@code /restore/next} and the restore: before the snapshot, never sent from a copy. */
  int droppedCheckpointSamples;

  /** @param lambda false in host mode (no Runtime API): samples then carry no phase and no span ids */
  ProfileAssembler(Timeline timeline, boolean lambda, String traceEndpoint, long intervalNanos, boolean ignoreProfiler,
                          boolean wallOnlyInInit) {
    this(timeline, lambda, traceEndpoint, intervalNanos, ignoreProfiler, wallOnlyInInit, true);
  }

  ProfileAssembler(Timeline timeline, boolean lambda, String traceEndpoint, long intervalNanos, boolean ignoreProfiler,
                   boolean wallOnlyInInit, boolean spanLabels) {
    this.spanLabels = spanLabels;
    this.timeline = timeline;
    this.lambda = lambda;
    this.traceEndpoint = traceEndpoint;
    this.intervalNanos = intervalNanos;
    this.ignoreProfiler = ignoreProfiler;
    this.wallOnlyInInit = wallOnlyInInit;
  }

  /** Both profiles of one flush; a builder is null when it has no sample. */
  static final class Profiles {
    ProfileBuilder cpu;
    ProfileBuilder wall;
  }

  /**
   * @param invocations invocations that may own these samples, oldest first (the cold one first when present)
   * @param coldInvocation the invocation that followed init (under SnapStart: the restore), or null (init samples
   *     then carry {@code initSpanId}, or no span ids)
   * @param initSpanId SnapStart: the snapshot's init span, whose ids init samples carry; 0: none
   * @param recordingStartNanos when the recording of these samples began: it fixed their wall-clock anchor
   */
  Profiles assemble(List<Sample> samples, List<Invocation> invocations, Invocation coldInvocation, long initSpanId,
                    long recordingStartNanos, long startEpochNanos, long endEpochNanos, Map<String, String> comments) {
    Profiles out = new Profiles();
    long initEnd = timeline.initEndNanos;
    long checkpoint = timeline.checkpointNanos;
    long restore = timeline.restoreNanos;
    long restoreEnd = timeline.restoreEndNanos;
    for (Sample s : samples) {
      if (ignoreProfiler && isAgent(s)) {
        droppedAgentSamples++;
        continue;
      }
      long t = timeline.toNanoTime(s.epochNanos(), recordingStartNanos);
      String phase = null;
      Invocation owner = null;
      long spanId = 0;
      if (!lambda) {
        phase = null;
      } else if (initEnd == 0 || t < initEnd) {
        phase = PHASE_INIT;
        owner = coldInvocation;
        spanId = owner != null ? owner.spanId() : initSpanId;
      } else if (checkpoint != 0 && (restore == 0 || t < restore)) {
        droppedCheckpointSamples++;
        continue;
      } else if (restore != 0 && (restoreEnd == 0 || t < restoreEnd)) {
        phase = PHASE_RESTORE;
        owner = coldInvocation;
      } else {
        owner = find(invocations, t);
        phase = owner == null ? PHASE_IDLE : restore != 0 && owner == coldInvocation ? PHASE_FIRST_AFTER_RESTORE : PHASE_INVOCATION;
      }
      if (owner != null) spanId = owner.spanId();
      // Wall-clock time matters where the user waits for it: init (or the restore), and the cold invocation after it.
      if (s.kind() == Sample.Kind.WALL && wallOnlyInInit && lambda && !PHASE_INIT.equals(phase) && !PHASE_RESTORE.equals(phase)
          && (owner == null || owner != coldInvocation)) continue;
      ProfileBuilder b = s.kind() == Sample.Kind.CPU ? cpu(out, startEpochNanos, endEpochNanos, comments) : wall(out, startEpochNanos, endEpochNanos, comments);
      b.addSample(s.stack(), new long[] {1, s.weightNanos()}, labels(s, phase, spanId, owner));
    }
    return out;
  }

  private ProfileBuilder.Label[] labels(Sample s, String phase, long spanId, Invocation owner) {
    ProfileBuilder.Label[] out = new ProfileBuilder.Label[8];
    int n = 0;
    if (spanId != 0 && spanLabels) {
      out[n++] = ProfileBuilder.Label.num("span id", spanId);
      out[n++] = ProfileBuilder.Label.num("local root span id", spanId);
      out[n++] = ProfileBuilder.Label.str("trace endpoint", traceEndpoint);
    }
    out[n++] = ProfileBuilder.Label.num("thread id", s.threadId()); // a number, as Datadog's Java profiler records it
    out[n++] = ProfileBuilder.Label.str("thread name", s.threadName());
    if (phase != null) out[n++] = ProfileBuilder.Label.str("phase", phase);
    if (owner != null) out[n++] = ProfileBuilder.Label.str("request id", owner.requestId() == null ? "" : owner.requestId());
    // What the thread was doing when the wall clock sampled it: running (or runnable, starved) vs blocked.
    if (s.threadState() != null) out[n++] = ProfileBuilder.Label.str("thread state", s.threadState());
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** Binary search by start time: Lambda runs one invocation at a time, so windows do not overlap. */
  private static Invocation find(List<Invocation> invocations, long t) {
    if (invocations == null) return null;
    int lo = 0, hi = invocations.size() - 1, best = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (invocations.get(mid).startNanos() <= t) { best = mid; lo = mid + 1; }
      else hi = mid - 1;
    }
    if (best < 0) return null;
    Invocation inv = invocations.get(best);
    return inv.contains(t) ? inv : null;
  }

  /** The agent's own threads and frames, and the recorder's threads (DD_PROFILING_IGNORE_PROFILER). */
  static boolean isAgent(Sample s) {
    String n = s.threadName();
    if (n.startsWith("ddsls-") || n.startsWith("JFR ") || n.equals("Async-profiler Timer")) return true;
    for (Frame f : s.stack()) {
      if (f.className.startsWith("dev.ddsls.agent.") || f.className.startsWith("one.profiler.")) return true;
    }
    return false;
  }

  private ProfileBuilder cpu(Profiles p, long start, long end, Map<String, String> comments) {
    if (p.cpu == null) p.cpu = newBuilder("cpu", start, end, comments);
    return p.cpu;
  }

  private ProfileBuilder wall(Profiles p, long start, long end, Map<String, String> comments) {
    if (p.wall == null) p.wall = newBuilder("wall", start, end, comments);
    return p.wall;
  }

  private ProfileBuilder newBuilder(String type, long start, long end, Map<String, String> comments) {
    ProfileBuilder b = new ProfileBuilder(new String[][] {{"samples", "count"}, {type, "nanoseconds"}}, type, "nanoseconds", intervalNanos);
    b.setTimeNanos(start);
    b.setDurationNanos(Math.max(0, end - start));
    for (Map.Entry<String, String> c : comments.entrySet()) b.addComment(c.getKey() + "=" + c.getValue());
    return b;
  }
}
