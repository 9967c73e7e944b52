package dev.ddsls.analysis.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.InitAnalysis;
import dev.ddsls.analysis.coldstart.SnapStartReport;
import dev.ddsls.analysis.coldstart.WallSplit;
import dev.ddsls.analysis.connectivity.ConnectivityReport;
import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.service.ServiceReport;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/** The {@code ddsls.diagnose/v1} JSON document (docs/diagnose.md). Field names are a contract: extend, never rename. */
public final class JsonReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static void write(DiagnoseReport r, Writer out) throws IOException {
    JSON.writeValue(out, tree(r));
  }

  public static ObjectNode tree(DiagnoseReport r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", DiagnoseReport.SCHEMA);
    root.put("source", r.source());
    ObjectNode window = root.putObject("window");
    window.put("from", r.from() == null ? null : r.from().toString());
    window.put("to", r.to() == null ? null : r.to().toString());
    root.set("inputs", JSON.valueToTree(r.inputs()));
    ArrayNode fns = root.putArray("functions");
    for (ColdStartReport f : r.functions()) fns.add(function(f));
    ArrayNode svcs = root.putArray("services");
    for (ServiceReport s : r.services()) svcs.add(service(s));
    root.set("connectivity", r.connectivity() == null ? null : connectivity(r.connectivity()));
    root.set("notes", JSON.valueToTree(r.notes()));
    return root;
  }

  static ObjectNode service(ServiceReport s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("service", s.service());
    n.put("spans", s.spans());
    ArrayNode eps = n.putArray("endpoints");
    for (ServiceReport.Endpoint e : s.endpoints()) {
      eps.addObject().put("resource", e.resource()).put("requests", e.requests()).put("errors", e.errors())
          .set("durationMs", JSON.valueToTree(e.durationMs()));
    }
    n.set("callsInto", JSON.valueToTree(s.callsInto()));
    n.put("profiles", s.profiles());
    n.put("samples", s.samples() == null ? null : s.samples().kind());
    ArrayNode top = n.putArray("topFrames");
    for (FrameStat f : s.topFrames()) top.addObject().put("frame", f.frame()).put("selfPct", r1(f.selfPct())).put("totalPct", r1(f.totalPct()));
    return n;
  }

  static ObjectNode function(ColdStartReport f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("function", f.function());
    n.put("service", f.service());
    n.put("invocations", f.invocations());
    n.put("coldStarts", f.coldStarts());
    n.put("coldStartRate", f.coldStartRate());
    n.set("coldStartsByInitType", JSON.valueToTree(f.coldStartsByInitType()));
    n.set("coldStartsByMemoryMb", JSON.valueToTree(f.coldStartsByMemoryMb()));
    n.set("initMs", JSON.valueToTree(f.initMs()));
    n.set("phasesMs", JSON.valueToTree(f.phasesMs()));
    n.set("warmMedianMs", JSON.valueToTree(f.warmMedianMs()));
    n.set("coldInvocationPenaltyMs", JSON.valueToTree(f.coldInvocationPenaltyMs()));
    n.set("snapStart", f.snapStart() == null ? null : snapStart(f.snapStart()));
    n.set("init", f.init() == null ? null : init(f.init()));
    n.set("findings", findings(f.findings()));
    n.set("coldStartSpanIds", JSON.valueToTree(f.coldStartSpanIds()));
    n.set("notes", JSON.valueToTree(f.notes()));
    return n;
  }

  static ObjectNode snapStart(SnapStartReport s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("snapStartColdStarts", s.snapStartColdStarts());
    n.put("onDemandColdStarts", s.onDemandColdStarts());
    n.set("restoreMs", JSON.valueToTree(s.restoreMs()));
    n.set("firstInvocationAfterRestoreMs", JSON.valueToTree(s.firstInvocationAfterRestoreMs()));
    n.put("restoreErrors", s.restoreErrors());
    n.set("snapshotInitMs", JSON.valueToTree(s.snapshotInitMs()));
    n.set("restoredRequestIds", JSON.valueToTree(s.restoredRequestIds()));
    n.put("source", s.source());
    return n;
  }

  static ObjectNode init(InitAnalysis a) {
    ObjectNode n = JSON.createObjectNode();
    n.put("coldStarts", a.breakdown().coldStarts());
    n.put("cpuMs", r1(a.cpuMs()));
    n.put("wallMs", r1(a.wallMs()));
    n.put("offCpuMs", r1(a.offCpuMs()));
    n.put("cpuSamples", a.breakdown().cpuSamples());
    int coldStarts = Math.max(1, a.breakdown().coldStarts());
    // Every ms figure is per cold start; the sums, where one wants them, are named so.
    ObjectNode sums = n.putObject("sumOverColdStarts");
    sums.put("cpuMs", r1(a.cpuMs() * coldStarts));
    sums.put("wallMs", r1(a.wallMs() * coldStarts));
    n.set("topFrames", frames(a.topFrames(), "frame", coldStarts));
    n.set("ownFrames", frames(a.breakdown().ownFrames(), "frame", coldStarts));
    ArrayNode pk = n.putArray("topPackages");
    for (FrameStat p : a.breakdown().packages()) {
      pk.addObject().put("package", p.frame()).put("pct", r1(p.selfPct())).put("totalPct", r1(p.totalPct()))
          .put("selfMs", r1(p.selfValue() / 1e6 / coldStarts)).put("totalMs", r1(p.totalValue() / 1e6 / coldStarts));
    }
    n.set("userFrames", JSON.valueToTree(a.userFrames()));
    n.put("classLoadingMs", r1(a.classLoadingMs()));
    n.set("staticInitialisers", JSON.valueToTree(a.staticInitialisers()));
    n.put("jitGcMs", r1(a.jitGcMs()));
    n.set("librariesMs", JSON.valueToTree(a.librariesMs()));
    ObjectNode jvm = n.putObject("jvmActivities");
    for (Map.Entry<String, Double> e : a.jvmActivitiesMs().entrySet()) jvm.put(e.getKey(), r1(e.getValue()));
    n.set("waiting", JSON.valueToTree(a.waiting()));
    WallSplit w = a.wallSplit();
    n.put("sampledWallMs", r1(w.sampledWallMs()));
    ObjectNode split = n.putObject("wallSplit");
    split.put("onCpuMs", r1(w.onCpuMs()));
    split.put("runnableMs", r1(w.runnableMs()));
    split.put("blockedMs", r1(w.blockedMs()));
    ObjectNode kinds = split.putObject("blockedByKind");
    for (Map.Entry<String, Double> e : w.blockedByKind().entrySet()) kinds.put(e.getKey(), r1(e.getValue()));
    split.put("unclassifiedMs", r1(w.unclassifiedMs()));
    split.put("stateLabelled", w.stateLabelled());
    n.set("profileIds", JSON.valueToTree(a.profileIds()));
    return n;
  }

  /** Frames with their shares and (added later, so after them) their self and total ms per cold start. */
  static ArrayNode frames(List<FrameStat> stats, String key, int coldStarts) {
    ArrayNode a = JSON.createArrayNode();
    for (FrameStat f : stats) {
      a.addObject().put(key, f.frame()).put("selfPct", r1(f.selfPct())).put("totalPct", r1(f.totalPct()))
          .put("selfMs", r1(f.selfValue() / 1e6 / coldStarts)).put("totalMs", r1(f.totalValue() / 1e6 / coldStarts));
    }
    return a;
  }

  static ArrayNode findings(List<Finding> findings) {
    ArrayNode a = JSON.createArrayNode();
    for (Finding f : findings) {
      ObjectNode n = a.addObject();
      n.put("id", f.id());
      n.put("severity", f.severity().label());
      n.put("title", f.title());
      n.set("evidence", JSON.valueToTree(f.evidence()));
      n.put("advice", f.advice());
      n.put("reference", f.reference());
    }
    return a;
  }

  static ObjectNode connectivity(ConnectivityReport c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("invocationSpans", c.invocationSpans());
    n.put("connected", c.connected());
    n.put("orphans", c.orphans());
    n.put("roots", c.roots());
    n.put("broken", c.broken());
    n.put("connectedRate", c.connectedRate());
    n.set("byTrigger", JSON.valueToTree(c.byTrigger()));
    n.set("edges", JSON.valueToTree(c.edges()));
    n.set("xray", JSON.valueToTree(c.xray()));
    n.set("anomalies", JSON.valueToTree(c.anomalies()));
    n.set("findings", findings(c.findings()));
    return n;
  }

  static double r1(double v) { return Math.round(v * 10) / 10.0; }
}
