package dev.ddsls.analysis.diagnose;

import dev.ddsls.analysis.coldstart.ColdStartAnalyzer;
import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.PlatformReport;
import dev.ddsls.analysis.coldstart.SnapStartReport;
import dev.ddsls.analysis.connectivity.ConnectivityAnalyzer;
import dev.ddsls.analysis.connectivity.ConnectivityReport;
import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.analysis.service.ServiceReport;
import dev.ddsls.analysis.service.Services;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.analysis.trace.TraceIds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Builds the whole {@link DiagnoseReport} from what a source delivered: trace ids completed to 128 bits where one
 * span of the trace carries the high half, invocation spans grouped by function (a span
 * received twice counted once), profiles attributed to functions by span id (else by request id:
 * {@link RequestIdJoin}), fallbacks for profiles without span ids
 * and for platform reports, each function's own code, then the cold-start and connectivity reports. The report holds
 * everything its renderers need.
 */
public final class Diagnosis {
  private Diagnosis() {}

  /**
   * @param source how the report names where the data came from
   * @param code the function's deployment package given by the user, or null: then a deployment package the source
   *     names for the handler ({@link SourceData#deploymentPackages}), else the handler's package is own code
   * @throws IOException only when {@code code} cannot be read
   */
  public static DiagnoseReport build(String source, Query q, SourceData data, Path code) throws IOException {
    TraceIds.completeHighHalves(data.spans);
    List<ProfileInput> joined = RequestIdJoin.apply(data.spans, data.profiles, data.notes);
    if (joined != data.profiles) {
      data.profiles.clear();
      data.profiles.addAll(joined);
    }
    Predicate<Span> wanted = s -> (q.service() == null || q.service().equalsIgnoreCase(s.service()))
        && (q.function() == null || q.function().equalsIgnoreCase(s.function()))
        && (q.env() == null || q.env().equals(s.meta("env")))
        && (q.traceId() == null || q.matchesTrace(s));
    Map<String, List<Span>> byFunction = new LinkedHashMap<>();
    Map<Long, String> functionOfSpan = new HashMap<>();
    int duplicates = 0;
    for (Span s : data.spans) {
      if (!s.isInvocation() || !wanted.test(s)) continue;
      // A tracer resends a batch whose answer it did not see in time; the store then holds the span twice.
      if (functionOfSpan.containsKey(s.spanId())) {
        duplicates++;
        continue;
      }
      String fn = s.function() == null ? s.service() : s.function();
      byFunction.computeIfAbsent(fn, k -> new ArrayList<>()).add(s);
      functionOfSpan.put(s.spanId(), fn);
    }
    Map<String, List<ProfileInput>> profiles = new LinkedHashMap<>();
    List<ProfileInput> unattributed = new ArrayList<>();
    for (ProfileInput p : data.profiles) {
      String fn = functionOf(p, functionOfSpan);
      if (fn != null) profiles.computeIfAbsent(fn, k -> new ArrayList<>()).add(p);
      else unattributed.add(p);
    }
    // Profiles of services without Lambda's tags (hosts) go to their service's report.
    List<ServiceReport> services = Services.of(data.spans, wanted, unattributed);
    List<String> notes = new ArrayList<>(data.notes);
    if (duplicates > 0) notes.add(duplicates + " invocation spans received more than once were counted once");
    // Profiles without span ids (plain pprof or JFR files) belong to the only function there is, or to their own entry.
    if (!unattributed.isEmpty()) {
      if (byFunction.size() == 1) profiles.computeIfAbsent(byFunction.keySet().iterator().next(), k -> new ArrayList<>()).addAll(unattributed);
      else if (byFunction.isEmpty() && q.traceId() == null) profiles.put(q.function() != null ? q.function() : "(profiles)", unattributed);
      else notes.add(unattributed.size() + " profiles match no invocation span of the selected functions and were left out");
    }
    List<ColdStartReport> functions = new ArrayList<>();
    List<String> names = new ArrayList<>(byFunction.keySet());
    for (String fn : profiles.keySet()) if (!names.contains(fn)) names.add(fn);
    List<PlatformReport> reports = data.platformReports;
    if (!reports.isEmpty() && byFunction.isEmpty()) {
      String fn = q.function() != null ? q.function() : names.size() == 1 ? names.get(0) : "(platform logs)";
      if (!names.contains(fn)) names.add(fn);
    } else if (!reports.isEmpty()) {
      // Spans give the same init and invocation numbers; what only the platform knows, which cold starts were SnapStart
      // restores and how long they took, is taken from the reports when they can belong to one function only.
      boolean restores = names.size() == 1 && SnapStartReport.ofPlatform(reports, 0) != null;
      notes.add(reports.size() + " platform reports ignored: invocation spans give the same numbers"
          + (restores ? " (their SnapStart restores are reported)" : ""));
    }
    boolean platformForSpans = names.size() == 1 && SnapStartReport.ofPlatform(reports, 0) != null;
    for (String fn : names) {
      List<Span> spans = byFunction.getOrDefault(fn, List.of());
      String service = spans.isEmpty() ? fn : spans.get(0).service();
      String handler = ColdStartAnalyzer.handlerOf(spans);
      functions.add(ColdStartAnalyzer.analyze(fn, service, spans, byFunction.isEmpty() || platformForSpans ? reports : List.of(),
          profiles.getOrDefault(fn, List.of()), handler, ownCode(code, handler, data, notes)));
    }
    ConnectivityReport connectivity = null;
    if (!byFunction.isEmpty()) connectivity = ConnectivityAnalyzer.analyze(data.spans, wanted, data.xraySegments);
    return new DiagnoseReport(source, q.from(), q.to(), functions, services, connectivity, notes,
        new DiagnoseReport.Inputs(data.spans.size(), data.profiles.size(), reports.size(), data.xraySegments.size()));
  }

  /**
   * Own code from {@code code}, else from the jar a coldstart run names for this handler; null (the handler's package)
   * when neither is there. A {@code code} that cannot be read fails the report; a coldstart jar since moved is a note.
   */
  private static OwnCode ownCode(Path code, String handler, SourceData data, List<String> notes) throws IOException {
    if (handler == null && data.deploymentPackages.size() == 1) handler = data.deploymentPackages.keySet().iterator().next();
    Path pkg = code != null ? code : handler == null ? null : data.deploymentPackages.get(handler);
    if (pkg == null) return null;
    try {
      return OwnCode.ofDeployment(pkg, handler);
    } catch (IOException e) {
      if (code != null) throw e;
      String note = "own code from the handler's package: cannot read the measured jar " + e.getMessage();
      if (!notes.contains(note)) notes.add(note);
      return null;
    }
  }

  /** The function of the first sample whose local root span id (else span id) is a known invocation span's. */
  private static String functionOf(ProfileInput p, Map<Long, String> functionOfSpan) {
    for (ProfileSample s : p.profile().samples()) {
      Long root = s.rootSpanId();
      if (root != null) {
        String fn = functionOfSpan.get(root);
        if (fn != null) return fn;
      }
    }
    return null;
  }
}
