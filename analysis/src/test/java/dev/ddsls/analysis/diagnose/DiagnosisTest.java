package dev.ddsls.analysis.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.PlatformReport;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.analysis.report.HtmlReport;
import dev.ddsls.analysis.report.MarkdownReport;
import dev.ddsls.analysis.service.ServiceReport;
import dev.ddsls.analysis.trace.Span;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The library builds a whole report alone: spans and profiles in memory, no CLI, no source. */
class DiagnosisTest {
  static final long MS = 1_000_000;
  static final Query ALL = new Query(null, null, null, null, null, null);
  static final List<String> BUILD = List.of("example.Rules.build", "example.Handler.<clinit>", "java.lang.Class.forName0");
  static final List<String> HANDLE = List.of("example.Handler.handleRequest");

  @Test
  void groupsSpansByFunctionAndAttributesProfilesBySpanId() throws IOException {
    SourceData data = new SourceData();
    data.spans.add(invocation("orders", 11, true));
    data.spans.add(invocation("orders", 12, false));
    data.spans.add(invocation("billing", 21, true));
    data.profiles.add(new ProfileInput("orders-cpu", profile("cpu", sample(BUILD, 300, "init", 11L), sample(HANDLE, 20, "invocation", 12L))));
    data.profiles.add(new ProfileInput("billing-cpu", profile("cpu", sample(BUILD, 100, "init", 21L))));

    DiagnoseReport r = Diagnosis.build("memory", ALL, data, null);

    assertEquals(List.of("orders", "billing"), r.functions().stream().map(ColdStartReport::function).toList());
    ColdStartReport orders = r.functions().get(0);
    assertEquals(2, orders.invocations());
    assertEquals(1, orders.coldStarts());
    assertEquals(List.of("orders-cpu"), orders.init().profileIds());
    assertEquals(300, orders.init().cpuMs(), 1e-9);
    assertEquals(List.of("billing-cpu"), r.functions().get(1).init().profileIds());
    assertNotNull(r.connectivity());
    assertEquals(new DiagnoseReport.Inputs(3, 2, 0, 0), r.inputs());
  }

  @Test
  void aServiceWithoutLambdaTagsIsReportedWithItsEndpointsItsCallsAndItsProfile() throws IOException {
    SourceData data = new SourceData();
    // A host service: two requests entering it at GET /orders (one with a child span), the second calling the function.
    data.spans.add(new Span(7, 501, 0, "servlet.request", "GET /orders", "web", "web", 1 * MS, 40 * MS, 0, Map.of(), Map.of()));
    data.spans.add(new Span(7, 502, 501, "jdbc.query", "SELECT", "web", "sql", 2 * MS, 10 * MS, 0, Map.of(), Map.of()));
    data.spans.add(new Span(8, 503, 0, "servlet.request", "GET /orders", "web", "web", 50 * MS, 80 * MS, 1, Map.of(), Map.of()));
    Map<String, String> meta = new HashMap<>(Map.of("functionname", "orders", "cold_start", "true"));
    data.spans.add(new Span(8, 11, 503, Span.INVOCATION, "orders", "orders", "serverless", 60 * MS, 5 * MS, 0, meta, Map.of()));
    List<String> query = List.of("example.web.Repository.find", "example.web.OrdersController.get");
    data.profiles.add(new ProfileInput("web-cpu", profile("cpu", sample(query, 200, "request", 503L))));

    DiagnoseReport r = Diagnosis.build("memory", ALL, data, null);

    assertEquals(1, r.services().size());
    ServiceReport web = r.services().get(0);
    assertEquals("web", web.service());
    assertEquals(3, web.spans());
    assertEquals(1, web.endpoints().size(), "the child span is no endpoint");
    assertEquals("GET /orders", web.endpoints().get(0).resource());
    assertEquals(2, web.endpoints().get(0).requests());
    assertEquals(1, web.endpoints().get(0).errors());
    assertEquals(List.of(new ServiceReport.Call("orders", 1)), web.callsInto());
    assertEquals(1, web.profiles());
    assertEquals("example.web.Repository.find", web.topFrames().get(0).frame());
    assertEquals(List.of("orders"), r.functions().stream().map(ColdStartReport::function).toList());
    assertTrue(r.functions().get(0).init() == null || r.functions().get(0).init().profileIds().isEmpty(), "the host's profile is not the function's");
    assertEquals("web", r.connectivity().edges().get(0).from(), "the host is the function's upstream");
    StringWriter md = new StringWriter();
    MarkdownReport.write(r, new PrintWriter(md));
    assertTrue(md.toString().contains("## Service web") && md.toString().contains("| `GET /orders` | 2 | 1 |"), md.toString());
  }

  @Test
  void theReportCarriesTheFlameSamplesTheHtmlDraws() throws IOException {
    SourceData data = new SourceData();
    data.spans.add(invocation("orders", 11, true));
    data.spans.add(invocation("orders", 12, false));
    data.profiles.add(new ProfileInput("cpu", profile("cpu", sample(BUILD, 300, "init", 11L), sample(HANDLE, 20, "invocation", 12L))));
    data.profiles.add(new ProfileInput("wall", profile("wall", sample(BUILD, 900, "init", 11L))));

    ColdStartReport f = Diagnosis.build("memory", ALL, data, null).functions().get(0);

    assertEquals("cpu", f.flames().init().kind());
    assertEquals(1, f.flames().init().profile().samples().size(), "init samples only");
    assertEquals(300 * MS, f.flames().init().profile().samples().get(0).value(f.flames().init().valueIndex()));
    assertEquals(900 * MS, f.flames().initWall().profile().samples().get(0).value(f.flames().initWall().valueIndex()));
    assertEquals(List.of(HANDLE), f.flames().invocation().profile().samples().stream().map(ProfileSample::stack).toList());

    StringWriter html = new StringWriter();
    HtmlReport.write(new DiagnoseReport("memory", null, null, List.of(f), List.of(), null, List.of(), new DiagnoseReport.Inputs(2, 2, 0, 0)), html);
    assertTrue(html.toString().contains("Rules.build"), "the init flame graph draws the carried samples");
    assertTrue(html.toString().contains("handleRequest"), "so does the invocation graph");
  }

  @Test
  void spansReceivedTwiceCountOnceAndFiltersApply() throws IOException {
    SourceData data = new SourceData();
    data.spans.add(invocation("orders", 11, true));
    data.spans.add(invocation("orders", 11, true));
    data.spans.add(invocation("billing", 21, true));

    DiagnoseReport r = Diagnosis.build("memory", new Query(null, "orders", null, null, null, null), data, null);

    assertEquals(1, r.functions().size());
    assertEquals(1, r.functions().get(0).invocations());
    assertTrue(r.notes().contains("1 invocation spans received more than once were counted once"), r.notes().toString());
  }

  @Test
  void profilesWithoutSpanIdsGoToTheOnlyFunctionOrTheirOwnEntry() throws IOException {
    SourceData one = new SourceData();
    one.spans.add(invocation("orders", 11, true));
    one.profiles.add(new ProfileInput("plain.pprof", profile("cpu", sample(BUILD, 50, "init", null))));
    assertEquals(List.of("plain.pprof"), Diagnosis.build("memory", ALL, one, null).functions().get(0).init().profileIds());

    SourceData none = new SourceData();
    none.profiles.add(new ProfileInput("plain.pprof", profile("cpu", sample(BUILD, 50, "init", null))));
    DiagnoseReport r = Diagnosis.build("memory", ALL, none, null);
    assertEquals("(profiles)", r.functions().get(0).function());
    assertNull(r.connectivity(), "no invocation spans, no connectivity report");

    SourceData two = new SourceData();
    two.spans.add(invocation("orders", 11, true));
    two.spans.add(invocation("billing", 21, true));
    two.profiles.add(new ProfileInput("plain.pprof", profile("cpu", sample(BUILD, 50, "init", null))));
    assertTrue(Diagnosis.build("memory", ALL, two, null).notes()
        .contains("1 profiles match no invocation span of the selected functions and were left out"));
  }

  @Test
  void platformReportsStandInOnlyWithoutInvocationSpans() throws IOException {
    PlatformReport cold = new PlatformReport("r-1", 95.0, 812.0, null, 1024, null, null, "test");
    SourceData logs = new SourceData();
    logs.platformReports.add(cold);
    DiagnoseReport r = Diagnosis.build("memory", new Query(null, "orders", null, null, null, null), logs, null);
    assertEquals("orders", r.functions().get(0).function());
    assertEquals(1, r.functions().get(0).coldStarts());

    SourceData both = new SourceData();
    both.spans.add(invocation("orders", 11, true));
    both.platformReports.add(cold);
    assertTrue(Diagnosis.build("memory", ALL, both, null).notes()
        .contains("1 platform reports ignored: invocation spans give the same numbers"));
  }

  @Test
  void anUnreadableDeploymentPackageFailsOnlyWhenTheUserGaveIt() {
    SourceData data = new SourceData();
    data.spans.add(invocation("orders", 11, true));
    Path missing = Path.of("/nonexistent/function.jar");
    assertThrows(IOException.class, () -> Diagnosis.build("memory", ALL, data, missing));
  }

  @Test
  void aTraceIsSelectedByItsLowHalfOrItsWholeId() throws IOException {
    SourceData data = new SourceData();
    // A tracer's 128-bit trace: the high half on its first span only. And another trace.
    data.spans.add(new Span(7, 0, 1, 0, "web.request", "r", "shop", "web", 0, MS, 0, Map.of(Span.TID, "6502f1a400000000"), Map.of())
        .withTraceIdHigh(0x6502f1a400000000L));
    data.spans.add(new Span(7, 2, 1, Span.INVOCATION, "orders", "orders", "serverless", 0, MS, 0, Map.of("functionname", "orders"),
        Map.of()));
    data.spans.add(new Span(8, 3, 0, Span.INVOCATION, "billing", "billing", "serverless", 0, MS, 0, Map.of("functionname", "billing"),
        Map.of()));

    Query byWhole = new Query(null, null, null, null, null, "6502f1a4000000000000000000000007");
    assertEquals("7", byWhole.traceIdLow());
    assertEquals(List.of("orders"), functions(Diagnosis.build("memory", byWhole, copy(data), null)), "the invocation learnt its high half");
    assertEquals(List.of("orders"), functions(Diagnosis.build("memory", new Query(null, null, null, null, null, "7"), copy(data), null)));
    Query otherHigh = new Query(null, null, null, null, null, "00000000000000010000000000000007");
    assertEquals(List.of(), functions(Diagnosis.build("memory", otherHigh, copy(data), null)));
  }

  static List<String> functions(DiagnoseReport r) { return r.functions().stream().map(ColdStartReport::function).toList(); }

  static SourceData copy(SourceData d) {
    SourceData c = new SourceData();
    c.spans.addAll(d.spans);
    return c;
  }

  @Test
  void samplesWhoseSpanIdsNameNoSpanJoinTheInvocationSpanOfTheirRequestId() throws IOException {
    SourceData data = new SourceData();
    // Datadog's extension's aws.lambda spans (span ids the tracer's), tagged with the invocation's request_id.
    data.spans.add(withRequest(invocation("orders", 11, true), "req-cold"));
    data.spans.add(withRequest(invocation("orders", 12, false), "req-warm"));
    data.spans.add(withRequest(invocation("billing", 21, true), "req-billing"));
    // Two spans for one request (a duplicate export with other ids): no guess is made for it.
    data.spans.add(withRequest(invocation("billing", 22, false), "req-twice"));
    data.spans.add(withRequest(invocation("billing", 23, false), "req-twice"));
    data.profiles.add(new ProfileInput("orders-cpu", profile("cpu", withRequest(sample(BUILD, 300, "init", null), "req-cold"),
        withRequest(sample(HANDLE, 20, "invocation", 999L), "req-warm"), withRequest(sample(HANDLE, 7, "invocation", 21L), "req-warm"),
        withRequest(sample(HANDLE, 5, "invocation", null), "req-twice"))));

    DiagnoseReport r = Diagnosis.build("memory", ALL, data, null);

    ColdStartReport orders = r.functions().get(0);
    assertEquals("orders", orders.function());
    assertEquals(List.of("orders-cpu"), orders.init().profileIds(), "joined by request id, not left out between two functions");
    assertEquals(300, orders.init().cpuMs(), 1e-9);
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("2 samples of 1 profiles tied to their invocation span by request id")),
        r.notes().toString());
    List<ProfileSample> joined = data.profiles.get(0).profile().samples();
    assertEquals(11L, joined.get(0).numLabels().get("local root span id"));
    assertEquals(11L, joined.get(0).numLabels().get("span id"));
    assertEquals(12L, joined.get(1).numLabels().get("local root span id"), "an id that names no span is replaced");
    assertEquals(21L, joined.get(2).numLabels().get("local root span id"), "an id that names a span is kept");
    assertNull(joined.get(3).numLabels().get("local root span id"), "an ambiguous request id joins nothing");
  }

  static Span withRequest(Span s, String requestId) {
    Map<String, String> meta = new HashMap<>(s.meta());
    meta.put("request_id", requestId);
    return new Span(s.traceId(), s.spanId(), s.parentId(), s.name(), s.resource(), s.service(), s.type(), s.start(), s.duration(),
        s.error(), meta, s.metrics());
  }

  static ProfileSample withRequest(ProfileSample s, String requestId) {
    Map<String, String> str = new HashMap<>(s.strLabels());
    str.put("request id", requestId);
    return new ProfileSample(s.stack(), s.lines(), s.values(), str, s.numLabels());
  }

  static Span invocation(String function, long spanId, boolean cold) {
    Map<String, String> meta = new HashMap<>(Map.of("functionname", function));
    if (cold) meta.put("cold_start", "true");
    return new Span(spanId * 100, spanId, 0, Span.INVOCATION, function, function, "serverless", spanId * MS, 5 * MS, 0, meta,
        cold ? Map.of("ddsls.init.duration_ms", 900.0) : Map.of());
  }

  static Profile profile(String type, ProfileSample... samples) {
    return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
        new ValueType(type, "nanoseconds"), 10 * MS, 0, 0, List.of(), List.of(samples));
  }

  /** {@code ms} of one leaf-first stack in {@code phase}, tied to the invocation {@code root} (null: to none). */
  static ProfileSample sample(List<String> leafFirst, long ms, String phase, Long root) {
    Map<String, Long> num = new HashMap<>(Map.of("thread id", 1L));
    if (root != null) num.put("local root span id", root);
    return new ProfileSample(leafFirst, new long[leafFirst.size()], new long[] {ms / 10, ms * MS},
        Map.of("phase", phase, "thread name", "main"), num);
  }
}
