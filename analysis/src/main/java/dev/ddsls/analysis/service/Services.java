package dev.ddsls.analysis.service;

import dev.ddsls.analysis.connectivity.ConnectivityAnalyzer;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.stats.Percentiles;
import dev.ddsls.analysis.trace.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Finds the services without Lambda's tags among the spans and reports each ({@link ServiceReport}). A service is one
 * when none of its spans is an invocation span or carries {@code functionname}; a request enters it at a span whose
 * parent is absent or another service's (a local root, as a tracer names it).
 */
public final class Services {
  static final int ENDPOINTS = 10, FRAMES = 10;

  private Services() {}

  /** The services' reports, by name; profiles go to the service of their samples' local root span, and are removed from {@code profiles}. */
  public static List<ServiceReport> of(List<Span> spans, Predicate<Span> wanted, List<ProfileInput> profiles) {
    Map<String, List<Span>> byService = new TreeMap<>();
    Set<String> lambda = new HashSet<>();
    for (Span s : spans) {
      if (s.service() != null && wanted.test(s) && (s.isInvocation() || s.meta("functionname") != null || s.isInferred())) lambda.add(s.service());
    }
    for (Span s : spans) {
      if (s.service() == null || lambda.contains(s.service()) || !wanted.test(s)) continue;
      byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
    }
    // Most inputs are Lambda's alone: the index of every span by id (a million spans: 1M map entries) only when needed.
    if (byService.isEmpty()) return List.of();
    Map<Long, Span> byId = new HashMap<>();
    for (Span s : spans) byId.putIfAbsent(s.spanId(), s);

    Map<Long, String> serviceOfRoot = new HashMap<>();
    Map<String, Map<String, List<Span>>> entries = new LinkedHashMap<>();
    for (Map.Entry<String, List<Span>> e : byService.entrySet()) {
      Map<String, List<Span>> byResource = new TreeMap<>();
      for (Span s : e.getValue()) {
        Span parent = s.parentId() == 0 ? null : byId.get(s.parentId());
        if (parent != null && e.getKey().equals(parent.service())) continue;
        byResource.computeIfAbsent(s.resource() == null ? s.name() : s.resource(), k -> new ArrayList<>()).add(s);
        serviceOfRoot.put(s.spanId(), e.getKey());
      }
      entries.put(e.getKey(), byResource);
    }
    Map<String, Map<String, Integer>> calls = new HashMap<>();
    for (Span s : spans) {
      if (!s.isInvocation()) continue;
      Span parent = callerOf(s, byId);
      if (parent != null && byService.containsKey(parent.service())) {
        calls.computeIfAbsent(parent.service(), k -> new TreeMap<>()).merge(s.function() == null ? s.service() : s.function(), 1, Integer::sum);
      }
    }
    Map<String, List<ProfileInput>> profilesOf = new HashMap<>();
    for (Iterator<ProfileInput> it = profiles.iterator(); it.hasNext(); ) {
      ProfileInput p = it.next();
      String service = serviceOf(p, serviceOfRoot);
      if (service == null) continue;
      profilesOf.computeIfAbsent(service, k -> new ArrayList<>()).add(p);
      it.remove();
    }

    List<ServiceReport> out = new ArrayList<>();
    for (Map.Entry<String, List<Span>> e : byService.entrySet()) {
      String service = e.getKey();
      List<ServiceReport.Endpoint> endpoints = new ArrayList<>();
      entries.get(service).forEach((resource, roots) -> {
        List<Double> ms = new ArrayList<>();
        int errors = 0;
        for (Span r : roots) {
          ms.add(r.durationMs());
          errors += r.error() != 0 ? 1 : 0;
        }
        endpoints.add(new ServiceReport.Endpoint(resource, roots.size(), errors, Percentiles.of(ms)));
      });
      endpoints.sort((a, b) -> Integer.compare(b.requests(), a.requests()));
      List<ServiceReport.Call> callsInto = new ArrayList<>();
      calls.getOrDefault(service, Map.of()).forEach((fn, n) -> callsInto.add(new ServiceReport.Call(fn, n)));
      List<ProfileInput> own = profilesOf.getOrDefault(service, List.of());
      String kind = MergedProfile.defaultKind(own);
      MergedProfile merged = kind == null ? null : MergedProfile.of(own, kind, null);
      out.add(new ServiceReport(service, e.getValue().size(), endpoints.subList(0, Math.min(ENDPOINTS, endpoints.size())), callsInto,
          own.size(), merged == null ? List.of() : FrameStats.top(merged.profile(), merged.valueIndex(), FRAMES), merged));
    }
    return out;
  }

  /** The span an invocation was called from: the parent of its first inferred span (the managed service's hop), else its own parent. */
  private static Span callerOf(Span inv, Map<Long, Span> byId) {
    Span entry = ConnectivityAnalyzer.entrySpan(inv, byId);
    return entry.parentId() == 0 ? null : byId.get(entry.parentId());
  }

  /** The service of the first sample whose local root span id (else span id) is a request entering a service. */
  private static String serviceOf(ProfileInput p, Map<Long, String> serviceOfRoot) {
    for (ProfileSample s : p.profile().samples()) {
      Long root = s.rootSpanId();
      if (root != null && serviceOfRoot.containsKey(root)) return serviceOfRoot.get(root);
    }
    return null;
  }
}
