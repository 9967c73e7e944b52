package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.stats.Percentiles;
import dev.ddsls.analysis.trace.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A function's SnapStart cold starts, apart from its on-demand ones: how many environments were restored from a
 * snapshot, how long the restores took ({@code restoreMs}: Lambda's Restore Duration, the Telemetry API's
 * {@code platform.restoreReport}), the first invocation after each restore, restores that failed (an afterRestore hook
 * threw or timed out), and the snapshot's init ({@code platform.initReport} with initialization type
 * {@code snap-start}: paid when the version is published, not by a caller). {@code restoredRequestIds} are the
 * requests that were the first after a restore; {@code source} says where the figures came from.
 * Built from Lambda's platform records, else from invocation spans that carry a restore duration.
 */
public record SnapStartReport(int snapStartColdStarts, int onDemandColdStarts, Percentiles restoreMs,
                              Percentiles firstInvocationAfterRestoreMs, int restoreErrors, Percentiles snapshotInitMs,
                              List<String> restoredRequestIds, String source) {
  /** The span metric with a cold start's restore duration, and the tag naming its initialization type. */
  static final String RESTORE_METRIC = "ddsls.init.restore_ms";
  static final String SNAP_START = "snap-start";

  /**
   * From platform records: restore reports (no request id) and invocation reports ({@code Restore Duration} on the
   * first invocation after a restore). Null when they show no SnapStart restore at all.
   */
  public static SnapStartReport ofPlatform(List<PlatformReport> reports, int onDemandColdStarts) {
    List<Double> restores = new ArrayList<>(), fromInvocations = new ArrayList<>(), first = new ArrayList<>(), snapshot = new ArrayList<>();
    Set<String> restored = new LinkedHashSet<>();
    int errors = 0;
    for (PlatformReport r : reports) {
      if (r.invocation()) {
        if (r.restoreDurationMs() == null) continue;
        if (r.requestId() != null && !restored.add(r.requestId())) continue; // the same REPORT read twice
        fromInvocations.add(r.restoreDurationMs());
        if (r.durationMs() != null) first.add(r.durationMs());
      } else if (r.restoreDurationMs() != null) {
        if (r.status() == null || r.status().equals("success")) restores.add(r.restoreDurationMs());
        else errors++;
      } else if (SNAP_START.equals(r.initType()) && r.initDurationMs() != null) {
        snapshot.add(r.initDurationMs());
      }
    }
    // A restore report and the REPORT of its first invocation carry the same restore: count each restore once.
    List<Double> restoreMs = restores.isEmpty() ? fromInvocations : restores;
    int coldStarts = Math.max(restores.size(), fromInvocations.size());
    if (coldStarts == 0 && errors == 0) return null;
    return new SnapStartReport(coldStarts, onDemandColdStarts, Percentiles.of(restoreMs).rounded(1), Percentiles.of(first).rounded(1),
        errors, Percentiles.of(snapshot).rounded(1), List.copyOf(restored), "platform reports");
  }

  /** From cold invocation spans that carry {@value #RESTORE_METRIC}; null when none does. */
  public static SnapStartReport ofSpans(List<Span> coldSpans, int onDemandColdStarts) {
    List<Double> restoreMs = new ArrayList<>(), first = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (Span s : coldSpans) {
      Double ms = s.metric(RESTORE_METRIC);
      if (ms == null || ms.isNaN()) continue;
      restoreMs.add(ms);
      first.add(s.durationMs());
      String request = s.meta("request_id");
      if (request != null && !request.isBlank()) ids.add(request);
    }
    if (restoreMs.isEmpty()) return null;
    return new SnapStartReport(restoreMs.size(), onDemandColdStarts, Percentiles.of(restoreMs).rounded(1),
        Percentiles.of(first).rounded(1), 0, Percentiles.of(List.of()), List.copyOf(ids), "invocation spans");
  }
}
