package dev.ddsls.analysis.report;

import static dev.ddsls.analysis.report.FlameGraph.esc;

import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.SnapStartReport;
import dev.ddsls.analysis.coldstart.FlameSamples;
import dev.ddsls.analysis.connectivity.ConnectivityReport;
import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.pprof.MergedProfile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.service.ServiceReport;
import dev.ddsls.analysis.stats.Percentiles;
import java.io.IOException;
import java.io.Writer;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ddsls diagnose --format html}: one self-contained page (inline CSS, JS and SVG; nothing fetched) with, per
 * function, the cold-start histogram, the phase breakdown, the init tables of the text report ({@link InitTables}),
 * flame graphs of init and of invocations (values per cold start and per invocation; a wall-clock init graph too when
 * waiting matters), and the findings with their evidence as tables; then the connectivity tables. Flame graphs draw
 * the samples each function's report carries ({@link ColdStartReport#flames}).
 */
public final class HtmlReport {
  /** Blocked time per cold start from which a wall-clock flame graph is worth showing beside the CPU one. */
  static final double WAITING_MATTERS_MS = 100;
  private static final String[] PHASES = {"jvm", "agent", "runtimeInit", "firstInvocation"};
  private static final String[] PHASE_COLOURS = {"#5b8def", "#9b6bd6", "#e8743b", "#3bb273"};

  private HtmlReport() {}

  public static void write(DiagnoseReport r, Writer out) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ddsls diagnose</title>\n<style>")
        .append(FlameGraph.STYLE).append('\n').append(STYLE).append("</style></head>\n<body>\n<h1>ddsls diagnose</h1>\n<p>Source: ")
        .append(esc(r.source())).append(". Inputs: ").append(r.inputs().spans()).append(" spans, ").append(r.inputs().profiles())
        .append(" profiles, ").append(r.inputs().platformReports()).append(" platform reports, ")
        .append(r.inputs().xraySegments()).append(" X-Ray segments.</p>\n");
    notes(b, r.notes());
    int i = 0;
    for (ColdStartReport f : r.functions()) function(b, f, i++);
    int k = 0;
    for (ServiceReport s : r.services()) service(b, s, k++);
    if (r.connectivity() != null) connectivity(b, r.connectivity());
    b.append("<script>").append(FlameGraph.SCRIPT).append("</script>\n</body></html>\n");
    out.write(b.toString());
    out.flush();
  }

  /** A service without Lambda's tags: endpoints, the functions it calls, and the flame graph of its requests. */
  private static void service(StringBuilder b, ServiceReport s, int index) {
    b.append("<section class=\"service\" id=\"svc-").append(index).append("\">\n<h2>").append(esc(s.service()))
        .append(" <small>service without Lambda tags (a host or container)</small></h2>\n<p>").append(s.spans()).append(" spans, ")
        .append(s.profiles()).append(" profiles.</p>\n");
    if (!s.endpoints().isEmpty()) {
      b.append("<table class=\"endpoints\"><tr><th>endpoint</th><th>requests</th><th>errors</th><th>p50</th><th>p99</th></tr>\n");
      for (ServiceReport.Endpoint e : s.endpoints()) {
        b.append("<tr><td>").append(esc(e.resource())).append("</td><td>").append(e.requests()).append("</td><td>").append(e.errors())
            .append("</td><td>").append(ms(e.durationMs().p50())).append("</td><td>").append(ms(e.durationMs().p99())).append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    for (ServiceReport.Call c : s.callsInto()) {
      b.append("<p>Calls function ").append(esc(c.function())).append(": ").append(c.invocations()).append(" invocations.</p>\n");
    }
    if (s.samples() != null) {
      b.append("<h3>Requests: where the time goes</h3>\n");
      flame(b, s.samples(), "svc-flame-" + index, 0, "request");
    }
    b.append("</section>\n");
  }

  private static void function(StringBuilder b, ColdStartReport f, int index) {
    b.append("<section class=\"function\" id=\"fn-").append(index).append("\">\n<h2>").append(esc(f.function())).append("</h2>\n<p>")
        .append(f.invocations()).append(" invocations, ").append(f.coldStarts()).append(" cold starts (")
        .append(fmt(f.coldStartRate() * 100)).append(" %). Init p50 ").append(ms(f.initMs().p50())).append(", p90 ")
        .append(ms(f.initMs().p90())).append(", max ").append(ms(f.initMs().max())).append(". Warm median ")
        .append(ms(f.warmMedianMs())).append(", cold invocation penalty ").append(ms(f.coldInvocationPenaltyMs())).append(".</p>\n");
    SnapStartReport snap = f.snapStart();
    if (snap != null) {
      b.append("<p class=\"snapstart\">SnapStart: ").append(snap.snapStartColdStarts()).append(" snap-start cold starts, ")
          .append(snap.onDemandColdStarts()).append(" on-demand, ").append(snap.restoreErrors()).append(" restore errors. Restore p50 ")
          .append(ms(snap.restoreMs().p50())).append(", p90 ").append(ms(snap.restoreMs().p90())).append(", p99 ")
          .append(ms(snap.restoreMs().p99())).append("; first invocation after restore p50 ")
          .append(ms(snap.firstInvocationAfterRestoreMs().p50())).append(" (from ").append(esc(snap.source())).append(").</p>\n");
    }
    b.append("<h3>Cold starts: init duration</h3>\n");
    histogram(b, f.initDurationsMs(), "hist-" + index);
    b.append("<h3>Phases (p50)</h3>\n");
    phases(b, f.phasesMs(), "phases-" + index);
    int coldStarts = f.init() == null ? 1 : Math.max(1, f.init().breakdown().coldStarts());
    if (f.init() != null) {
      b.append("<h3>Init</h3>\n<p class=\"init-summary\">Init CPU ").append(ms(f.init().cpuMs())).append(" (all threads), init thread wall ")
          .append(ms(f.init().wallMs())).append(", class loading ")
          .append(ms(f.init().classLoadingMs())).append(", JIT/GC ").append(ms(f.init().jitGcMs())).append(" per cold start");
      if (coldStarts > 1) b.append(" (CPU summed over the ").append(coldStarts).append(" profiled cold starts: ")
          .append(ms(f.init().cpuMs() * coldStarts)).append(')');
      b.append(".</p>\n");
      InitTables.write(b, f.init(), "init-tables-" + index);
    }
    FlameSamples flames = f.flames();
    b.append("<h3>Init flame graph (phase=init)</h3>\n");
    flame(b, flames.init(), "flame-init-" + index, coldStarts, "cold start");
    if (waitingMatters(f) && flames.initWall() != null) {
      b.append("<h3>Init wall-clock flame graph (phase=init, waiting included)</h3>\n");
      flame(b, flames.initWall(), "flame-init-wall-" + index, coldStarts, "cold start");
    }
    b.append("<h3>Invocation flame graph (phase=invocation)</h3>\n");
    flame(b, flames.invocation(), "flame-invocation-" + index, 0, "invocation");
    b.append("<h3>Findings</h3>\n");
    findings(b, f.findings());
    notes(b, f.notes());
    b.append("</section>\n");
  }

  /**
   * Waiting matters when init was blocked for long enough that the CPU graph hides where the time went: the
   * off-CPU finding fired, or the blocked time is at least {@link #WAITING_MATTERS_MS} per cold start.
   */
  static boolean waitingMatters(ColdStartReport f) {
    if (f.init() == null) return false;
    if (f.findings().stream().anyMatch(x -> x.id().equals("init-off-cpu"))) return true;
    return f.init().wallSplit().blockedMs() >= WAITING_MATTERS_MS;
  }

  /**
   * @param per the number of cold starts (or, when 0, the distinct invocations the samples belong to, by their
   *     {@code local root span id}; sums when a sample names none) the hover values are divided by, so they match
   *     the tables
   */
  private static void flame(StringBuilder b, MergedProfile samples, String id, int per, String perWhat) {
    Set<Long> roots = new HashSet<>();
    if (samples != null) {
      for (ProfileSample s : samples.profile().samples()) {
        if (s.value(samples.valueIndex()) == 0 || s.stack().isEmpty()) continue;
        roots.add(s.numLabels().get("local root span id")); // null stands for a sample of no known invocation
      }
    }
    int n = per > 0 ? per : roots.contains(null) ? 1 : roots.size();
    if (samples != null) {
      b.append("<p class=\"meta\">").append(samples.kind()).append(" samples of ").append(samples.profiles()).append(" profiles")
          .append(n > 1 ? "; values per " + perWhat + " (" + n + " " + perWhat + "s), the sum in each hover" : "").append("</p>\n");
    }
    FlameGraph.of(samples == null ? null : samples.profile(), samples == null ? 0 : samples.valueIndex(), "nanoseconds")
        .per(n, perWhat).svg(b, id);
  }

  static void histogram(StringBuilder b, List<Double> values, String id) {
    if (values.isEmpty()) {
      b.append("<p class=\"empty\" id=\"").append(id).append("\">No init durations.</p>\n");
      return;
    }
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    int bins = Math.max(1, Math.min(20, (int) Math.ceil(Math.sqrt(values.size()))));
    double width = max > min ? (max - min) / bins : 1;
    int[] counts = new int[bins];
    for (double v : values) counts[Math.min(bins - 1, (int) ((v - min) / width))]++;
    int top = 0;
    for (int c : counts) top = Math.max(top, c);
    int w = 600, h = 160, bar = w / bins;
    b.append("<svg class=\"histogram\" id=\"").append(id).append("\" width=\"").append(w).append("\" height=\"").append(h + 20)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    for (int i = 0; i < bins; i++) {
      int bh = (int) Math.round(counts[i] * (double) h / top);
      double lo = min + i * width;
      b.append("<g class=\"bin\"><title>").append(fmt(lo)).append("-").append(fmt(lo + width)).append(" ms: ").append(counts[i])
          .append(" cold starts</title><rect x=\"").append(i * bar + 1).append("\" y=\"").append(h - bh).append("\" width=\"")
          .append(bar - 2).append("\" height=\"").append(bh).append("\" fill=\"#5b8def\"/></g>\n");
    }
    b.append("<text x=\"0\" y=\"").append(h + 15).append("\">").append(fmt(min)).append(" ms</text><text x=\"").append(w)
        .append("\" y=\"").append(h + 15).append("\" text-anchor=\"end\">").append(fmt(max)).append(" ms</text>\n</svg>\n");
  }

  private static void phases(StringBuilder b, Map<String, Percentiles> phases, String id) {
    double total = 0;
    for (String p : PHASES) {
      Percentiles v = phases.get(p);
      if (v != null && v.p50() != null) total += v.p50();
    }
    if (total <= 0) {
      b.append("<p class=\"empty\" id=\"").append(id).append("\">No phase measurements.</p>\n");
      return;
    }
    int w = 600;
    b.append("<svg class=\"phases\" id=\"").append(id).append("\" width=\"").append(w).append("\" height=\"28\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    double x = 0;
    for (int i = 0; i < PHASES.length; i++) {
      Percentiles v = phases.get(PHASES[i]);
      if (v == null || v.p50() == null) continue;
      double pw = v.p50() * w / total;
      b.append("<g class=\"phase\" data-phase=\"").append(PHASES[i]).append("\"><title>").append(PHASES[i]).append(": p50 ")
          .append(ms(v.p50())).append("</title><rect x=\"").append(fmt(x)).append("\" y=\"0\" width=\"").append(fmt(pw))
          .append("\" height=\"28\" fill=\"").append(PHASE_COLOURS[i]).append("\"/></g>\n");
      x += pw;
    }
    b.append("</svg>\n<table><tr><th>phase</th><th>n</th><th>p50</th><th>p90</th><th>max</th></tr>\n");
    for (int i = 0; i < PHASES.length; i++) {
      Percentiles v = phases.get(PHASES[i]);
      if (v == null) continue;
      b.append("<tr><td><span class=\"swatch\" style=\"background:").append(PHASE_COLOURS[i]).append("\"></span>").append(PHASES[i])
          .append("</td><td>").append(v.n()).append("</td><td>").append(ms(v.p50())).append("</td><td>").append(ms(v.p90()))
          .append("</td><td>").append(ms(v.max())).append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void findings(StringBuilder b, List<Finding> findings) {
    if (findings.isEmpty()) {
      b.append("<p class=\"none\">No findings.</p>\n");
      return;
    }
    b.append("<ul class=\"findings\">\n");
    for (Finding f : findings) {
      b.append("<li class=\"finding ").append(f.severity().label()).append("\" data-id=\"").append(esc(f.id())).append("\"><b>[")
          .append(f.severity().label()).append("] ").append(esc(f.title())).append("</b> <code>").append(esc(f.id()))
          .append("</code><br>").append(esc(f.advice())).append(" <a href=\"").append(esc(f.reference())).append("\">reference</a>")
          .append("<details open><summary>evidence</summary>");
      EvidenceTable.write(b, f.evidence());
      b.append("</details></li>\n");
    }
    b.append("</ul>\n");
  }

  private static void connectivity(StringBuilder b, ConnectivityReport c) {
    b.append("<section class=\"connectivity\" id=\"connectivity\">\n<h2>Trace connectivity</h2>\n<p>").append(c.invocationSpans())
        .append(" invocations: ").append(c.connected()).append(" connected, ").append(c.orphans()).append(" orphans, ")
        .append(c.roots()).append(" roots (").append(c.broken()).append(" broken); connected rate ")
        .append(fmt(c.connectedRate() * 100)).append(" %.</p>\n");
    b.append("<table class=\"triggers\"><tr><th>trigger</th><th>invocations</th><th>connected</th><th>orphans</th><th>roots</th><th>broken</th></tr>\n");
    for (Map.Entry<String, ConnectivityReport.Counts> e : c.byTrigger().entrySet()) {
      ConnectivityReport.Counts n = e.getValue();
      b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(n.invocations()).append("</td><td>").append(n.connected())
          .append("</td><td>").append(n.orphans()).append("</td><td>").append(n.roots()).append("</td><td>").append(n.broken())
          .append("</td></tr>\n");
    }
    b.append("</table>\n<h3>Map</h3>\n<table class=\"edges\"><tr><th>from</th><th></th><th>trigger</th><th></th><th>to</th><th>invocations</th></tr>\n");
    for (ConnectivityReport.Edge e : c.edges()) {
      b.append("<tr class=\"edge\"><td>").append(esc(e.from())).append("</td><td>&rarr;</td><td>").append(esc(e.trigger()))
          .append("</td><td>&rarr;</td><td>").append(esc(e.to())).append("</td><td>").append(e.invocations()).append("</td></tr>\n");
    }
    b.append("</table>\n");
    if (!c.anomalies().isEmpty()) {
      b.append("<h3>Anomalies</h3>\n<ul>\n");
      for (ConnectivityReport.Anomaly a : c.anomalies()) {
        b.append("<li>").append(esc(a.kind())).append(" in trace ").append(esc(a.traceId())).append(": ").append(esc(a.detail())).append("</li>\n");
      }
      b.append("</ul>\n");
    }
    b.append("<h3>Findings</h3>\n");
    findings(b, c.findings());
    b.append("</section>\n");
  }

  private static void notes(StringBuilder b, List<String> notes) {
    for (String n : notes) b.append("<p class=\"note\">Note: ").append(esc(n)).append("</p>\n");
  }

  private static String ms(Double v) { return v == null ? "-" : fmt(v) + " ms"; }

  private static String fmt(double v) { return String.format(Locale.ROOT, "%.1f", v); }

  private static final String STYLE = String.join("\n",
      "h2{border-bottom:2px solid #333;margin-top:2em}",
      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}",
      "td.num{text-align:right;font-variant-numeric:tabular-nums}table.nested{margin:0;font-size:90%}",
      ".finding table th{font-weight:normal;color:#555}.finding{color:#222;margin-bottom:1em}",
      ".swatch{display:inline-block;width:10px;height:10px;margin-right:4px}",
      ".finding.high>b{color:#a00}.finding.medium>b{color:#a60}.note,.meta{color:#666}",
      "svg.histogram text{font:11px sans-serif}");
}
