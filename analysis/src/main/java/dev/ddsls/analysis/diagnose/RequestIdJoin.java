package dev.ddsls.analysis.diagnose;

import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.trace.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ties samples to the invocation span that has their {@code request id} (the span's {@code request_id} tag) when
 * their span ids name no invocation span of the input. That is the case beside Datadog's Lambda extension with
 * ddsls' spans off ({@code DDSLS_TRACE_ENABLED=false}): the {@code aws.lambda} span is the extension's, its span id
 * the tracer's, unseen by the agent, whose samples then carry the request id only (docs/lambda-layer.md). The joined
 * samples get that span's id as {@code span id} and {@code local root span id}, so everything after reads them as
 * it reads the agent's own.
 */
final class RequestIdJoin {
  static final String SPAN_ID = "span id", LOCAL_ROOT = "local root span id", REQUEST_ID = "request id";

  private RequestIdJoin() {}

  /**
   * The profiles with joined samples relabelled (the others as they were), and a note when any was joined. What it
   * keeps is sized by what the samples name, not by the spans: a map of every invocation span's request id (500,000 in
   * bench/diagnose-bench.sh, for a join that is most often empty) was, with Services' index of every span, some 40 MB
   * of the peak heap.
   */
  static List<ProfileInput> apply(List<Span> spans, List<ProfileInput> profiles, List<String> notes) {
    Set<Long> sampleRoots = new HashSet<>();
    for (ProfileInput in : profiles) {
      for (ProfileSample s : in.profile().samples()) {
        Long root = s.rootSpanId();
        if (root != null) sampleRoots.add(root);
      }
    }
    // The samples' root span ids that name an invocation span: those samples are tied already.
    Set<Long> invocationIds = new HashSet<>();
    if (!sampleRoots.isEmpty()) {
      for (Span s : spans) if (s.isInvocation() && sampleRoots.contains(s.spanId())) invocationIds.add(s.spanId());
    }
    Set<String> wanted = new HashSet<>();
    for (ProfileInput in : profiles) {
      for (ProfileSample s : in.profile().samples()) {
        Long root = s.rootSpanId();
        if (root != null && invocationIds.contains(root)) continue;
        String rid = s.strLabel(REQUEST_ID);
        if (rid != null && !rid.isEmpty()) wanted.add(rid);
      }
    }
    if (wanted.isEmpty()) return profiles;
    Map<String, Long> byRequest = new HashMap<>();
    Set<String> ambiguous = new HashSet<>();
    for (Span s : spans) {
      if (!s.isInvocation()) continue;
      String rid = s.meta("request_id");
      if (rid == null || rid.isEmpty() || !wanted.contains(rid)) continue;
      Long before = byRequest.putIfAbsent(rid, s.spanId());
      if (before != null && before != s.spanId()) ambiguous.add(rid); // two invocation spans for one request: no guess
    }
    for (String rid : ambiguous) byRequest.remove(rid);
    if (byRequest.isEmpty()) return profiles;
    List<ProfileInput> out = new ArrayList<>(profiles.size());
    int joined = 0, joinedProfiles = 0;
    for (ProfileInput in : profiles) {
      List<ProfileSample> samples = in.profile().samples();
      List<ProfileSample> relabelled = null;
      for (int i = 0; i < samples.size(); i++) {
        ProfileSample s = samples.get(i);
        Long span = joinedSpan(s, byRequest, invocationIds);
        if (span == null) continue;
        if (relabelled == null) relabelled = new ArrayList<>(samples);
        Map<String, Long> num = new HashMap<>(s.numLabels());
        num.put(SPAN_ID, span);
        num.put(LOCAL_ROOT, span);
        relabelled.set(i, s.withNumLabels(num));
        joined++;
      }
      if (relabelled == null) {
        out.add(in);
        continue;
      }
      joinedProfiles++;
      Profile p = in.profile();
      out.add(new ProfileInput(in.id(), new Profile(p.sampleTypes(), p.periodType(), p.period(), p.timeNanos(),
          p.durationNanos(), p.comments(), relabelled)));
    }
    if (joined > 0) {
      notes.add(joined + " samples of " + joinedProfiles + " profiles tied to their invocation span by request id (their span "
          + "ids name no invocation span here: ddsls' spans off beside Datadog's extension, docs/lambda-layer.md)");
    }
    return out;
  }

  /** The invocation span a sample joins by request id, or null when its own ids already name one (or none joins). */
  private static Long joinedSpan(ProfileSample s, Map<String, Long> byRequest, Set<Long> invocationIds) {
    Long root = s.rootSpanId();
    if (root != null && invocationIds.contains(root)) return null;
    String rid = s.strLabel(REQUEST_ID);
    return rid == null ? null : byRequest.get(rid);
  }
}
