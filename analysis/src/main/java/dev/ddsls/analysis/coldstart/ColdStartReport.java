package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.stats.Percentiles;
import java.util.List;
import java.util.Map;

/**
 * The cold-start report of one function. Times in milliseconds; {@code phasesMs} keys are {@code jvm}, {@code agent},
 * {@code runtimeInit}, {@code firstInvocation}. {@code init} is null without init-phase profiles.
 * {@code coldStartSpanIds} and {@code init.profileIds()} are the inputs the numbers came from; {@code initDurationsMs}
 * are the single init durations {@code initMs} summarises (for histograms); {@code flames} the samples of its flame
 * graphs (not in the JSON report); {@code snapStart} the SnapStart restores apart from the on-demand cold starts (null when
 * the input shows none).
 */
public record ColdStartReport(String function, String service, int invocations, int coldStarts, double coldStartRate,
                              Map<String, Integer> coldStartsByInitType, Map<String, Integer> coldStartsByMemoryMb,
                              Percentiles initMs, Map<String, Percentiles> phasesMs, Double warmMedianMs,
                              Double coldInvocationPenaltyMs, InitAnalysis init, List<Finding> findings,
                              List<String> coldStartSpanIds, List<String> notes,
                              List<Double> initDurationsMs, FlameSamples flames, SnapStartReport snapStart) {}
