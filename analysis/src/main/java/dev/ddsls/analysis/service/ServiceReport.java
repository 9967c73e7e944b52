package dev.ddsls.analysis.service;

import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.stats.Percentiles;
import java.util.List;

/**
 * A service without Lambda's tags (a host or container traced by a Datadog tracer, the hybrid set-up): its endpoints
 * (the resources of the spans where a request enters it), the functions it calls, and where its profiles' time goes.
 * {@code samples} is null without a profile of it.
 */
public record ServiceReport(String service, int spans, List<Endpoint> endpoints, List<Call> callsInto, int profiles,
                            List<FrameStat> topFrames, MergedProfile samples) {
  /** Requests entering the service at {@code resource}: their count, errors and duration percentiles (ms). */
  public record Endpoint(String resource, int requests, int errors, Percentiles durationMs) {}

  /** Invocations of {@code function} whose parent is a span of this service. */
  public record Call(String function, int invocations) {}
}
