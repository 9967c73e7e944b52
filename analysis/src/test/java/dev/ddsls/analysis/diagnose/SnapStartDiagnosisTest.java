package dev.ddsls.analysis.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.PlatformLogReader;
import dev.ddsls.analysis.coldstart.SnapStartReport;
import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.analysis.report.HtmlReport;
import dev.ddsls.analysis.report.JsonReport;
import dev.ddsls.analysis.report.MarkdownReport;
import dev.ddsls.analysis.report.TextReport;
import dev.ddsls.analysis.trace.Span;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SnapStart cold starts apart from on-demand ones, from Telemetry API events as Lambda (and {@code coldstart --snapstart})
 * writes them: restore percentiles, the first invocation after a restore, failed restores, in every report format.
 */
class SnapStartDiagnosisTest {
  static final Query ORDERS = new Query(null, "orders", null, null, null, null);

  /** One SnapStart environment: the snapshot's init, its restore, two invocations. */
  static String snapStartRun(String request, double restoreMs, double firstMs) {
    return event("platform.initStart", "{\"initializationType\":\"snap-start\",\"phase\":\"init\"}")
        + event("platform.initReport", "{\"initializationType\":\"snap-start\",\"phase\":\"init\",\"status\":\"success\",\"metrics\":{\"durationMs\":900.0}}")
        + event("platform.restoreStart", "{\"functionName\":\"orders\",\"functionVersion\":\"1\"}")
        + event("platform.restoreRuntimeDone", "{\"status\":\"success\"}")
        + event("platform.restoreReport", "{\"status\":\"success\",\"metrics\":{\"durationMs\":" + restoreMs + "}}")
        + event("platform.report", "{\"requestId\":\"" + request + "\",\"status\":\"success\",\"metrics\":{\"durationMs\":" + firstMs
            + ",\"billedDurationMs\":" + (int) Math.ceil(firstMs) + ",\"memorySizeMB\":1024,\"restoreDurationMs\":" + restoreMs + "}}")
        + event("platform.report", "{\"requestId\":\"" + request + "-warm\",\"status\":\"success\",\"metrics\":{\"durationMs\":4.0,"
            + "\"billedDurationMs\":4,\"memorySizeMB\":1024}}");
  }

  static String onDemandRun(String request) {
    return event("platform.initReport", "{\"initializationType\":\"on-demand\",\"phase\":\"init\",\"status\":\"success\",\"metrics\":{\"durationMs\":1500.0}}")
        + event("platform.report", "{\"requestId\":\"" + request + "\",\"status\":\"success\",\"metrics\":{\"durationMs\":80.0,"
            + "\"billedDurationMs\":80,\"memorySizeMB\":1024,\"initDurationMs\":1500.0}}");
  }

  static String failedRestore() {
    return event("platform.restoreStart", "{\"functionName\":\"orders\",\"functionVersion\":\"1\"}")
        + event("platform.restoreRuntimeDone", "{\"status\":\"error\",\"errorType\":\"Runtime.AfterRestoreError\"}")
        + event("platform.restoreReport", "{\"status\":\"error\",\"errorType\":\"Runtime.AfterRestoreError\",\"metrics\":{\"durationMs\":40.0}}");
  }

  static String event(String type, String record) {
    return "{\"time\":\"2026-12-07T01:00:00Z\",\"type\":\"" + type + "\",\"record\":" + record + "}\n";
  }

  static SourceData platform(String lines) throws IOException {
    SourceData data = new SourceData();
    data.platformReports.addAll(PlatformLogReader.read(new BufferedReader(new StringReader(lines)), "platform.jsonl"));
    return data;
  }

  @Test
  void restoresAreCountedApartFromOnDemandColdStartsWithTheirPercentiles() throws IOException {
    SourceData data = platform(snapStartRun("r1", 10.0, 40.0) + snapStartRun("r2", 20.0, 60.0) + snapStartRun("r3", 30.0, 50.0)
        + onDemandRun("o1") + failedRestore());
    ColdStartReport f = Diagnosis.build("memory", ORDERS, data, null).functions().get(0);
    assertEquals(Map.of("snap-start", 3, "on-demand", 1), f.coldStartsByInitType());
    assertEquals(4, f.coldStarts());
    assertEquals(1, f.initMs().n(), "only the on-demand cold start has an init its caller waited for");
    assertEquals(1500.0, f.initMs().p50());
    SnapStartReport s = f.snapStart();
    assertEquals(3, s.snapStartColdStarts());
    assertEquals(1, s.onDemandColdStarts());
    assertEquals(1, s.restoreErrors());
    assertEquals(3, s.restoreMs().n());
    assertEquals(20.0, s.restoreMs().p50());
    assertEquals(30.0, s.restoreMs().max());
    assertEquals(50.0, s.firstInvocationAfterRestoreMs().p50());
    assertEquals(900.0, s.snapshotInitMs().p50());
    assertEquals(List.of("r1", "r2", "r3"), s.restoredRequestIds());
  }

  @Test
  void restoreLinesOfCloudWatchCountToo() throws IOException {
    SourceData data = new SourceData();
    data.platformReports.addAll(PlatformLogReader.read(new BufferedReader(new StringReader(
        "REPORT RequestId: a3\tDuration: 50.00 ms\tBilled Duration: 600 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\t"
            + "Restore Duration: 480.50 ms\tBilled Restore Duration: 500 ms\n")), "cw.log"));
    ColdStartReport f = Diagnosis.build("memory", ORDERS, data, null).functions().get(0);
    assertEquals(1, f.snapStart().snapStartColdStarts());
    assertEquals(480.5, f.snapStart().restoreMs().p50());
    assertEquals(50.0, f.snapStart().firstInvocationAfterRestoreMs().p50());
    assertEquals(0, f.initMs().n(), "a restore is not an init");
  }

  @Test
  void besideSpansThePlatformRecordsSayWhichColdStartsWereRestores() throws IOException {
    SourceData data = platform(snapStartRun("r1", 12.0, 40.0));
    data.spans.add(span(11, true, "r1"));
    data.spans.add(span(12, false, "r1-warm"));
    DiagnoseReport r = Diagnosis.build("memory", ALL_QUERY, data, null);
    ColdStartReport f = r.functions().get(0);
    assertEquals(Map.of("snap-start", 1), f.coldStartsByInitType());
    assertEquals(12.0, f.snapStart().restoreMs().p50());
    assertEquals(0, f.snapStart().onDemandColdStarts());
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("(their SnapStart restores are reported)")), r.notes().toString());

    SourceData onDemand = platform(onDemandRun("o1"));
    onDemand.spans.add(span(21, true, "o1"));
    ColdStartReport plain = Diagnosis.build("memory", ALL_QUERY, onDemand, null).functions().get(0);
    assertNull(plain.snapStart(), "no restore in the input: no SnapStart section");
    assertEquals(Map.of("on-demand", 1), plain.coldStartsByInitType());
  }

  @Test
  void everyFormatShowsTheRestores() throws IOException {
    DiagnoseReport r = Diagnosis.build("memory", ORDERS, platform(snapStartRun("r1", 10.0, 40.0) + onDemandRun("o1")), null);
    JsonNode json = JsonReport.tree(r).get("functions").get(0).get("snapStart");
    assertEquals(1, json.get("snapStartColdStarts").asInt());
    assertEquals(1, json.get("onDemandColdStarts").asInt());
    assertEquals(10.0, json.get("restoreMs").get("p50").asDouble());
    assertEquals(40.0, json.get("firstInvocationAfterRestoreMs").get("p50").asDouble());

    StringWriter text = new StringWriter();
    TextReport.write(r, new PrintWriter(text), false);
    assertTrue(text.toString().contains("snap-start cold starts 1, on-demand 1, restore errors 0 (from platform reports)"), text.toString());
    assertTrue(text.toString().matches("(?s).*\\n  restore +1 +10\\.0 .*"), text.toString());
    assertTrue(text.toString().matches("(?s).*\\n  first after restore +1 +40\\.0 .*"), text.toString());

    StringWriter md = new StringWriter();
    MarkdownReport.write(r, new PrintWriter(md));
    assertTrue(md.toString().contains("| restore | 1 | 10.0 | 10.0 | 10.0 | 10.0 |"), md.toString());
    assertTrue(md.toString().contains("| first invocation after restore | 1 | 40.0 |"), md.toString());

    StringWriter html = new StringWriter();
    HtmlReport.write(r, html);
    assertTrue(html.toString().contains("SnapStart: 1 snap-start cold starts, 1 on-demand, 0 restore errors. Restore p50 10.0 ms"),
        html.toString());
  }

  static final Query ALL_QUERY = new Query(null, null, null, null, null, null);

  static Span span(long spanId, boolean cold, String requestId) {
    Map<String, String> meta = new HashMap<>(Map.of("functionname", "orders", "request_id", requestId));
    if (cold) meta.put("cold_start", "true");
    return new Span(spanId * 100, spanId, 0, Span.INVOCATION, "orders", "orders", "serverless", spanId * 1_000_000L, 5_000_000L, 0,
        meta, cold ? Map.of("ddsls.init.duration_ms", 900.0) : Map.of());
  }
}
