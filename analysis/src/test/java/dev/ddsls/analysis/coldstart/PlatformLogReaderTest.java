package dev.ddsls.analysis.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ddsls.analysis.trace.Span;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformLogReaderTest {
  static List<PlatformReport> read(String text) throws Exception {
    return PlatformLogReader.read(new BufferedReader(new StringReader(text)), "test.log");
  }

  @Test
  void textReportLinesTabSeparatedWithAndWithoutInit() throws Exception {
    List<PlatformReport> r = read("INIT_START Runtime Version: java:21.v38\tRuntime Version ARN: arn:aws:lambda:x::runtime:abc\n"
        + "START RequestId: a1 Version: $LATEST\nhello from the function\n"
        + "REPORT RequestId: a1\tDuration: 7192.17 ms\tBilled Duration: 7200 ms\tMemory Size: 128 MB\tMax Memory Used: 80 MB\tInit Duration: 163.01 ms\t\n"
        + "REPORT RequestId: a2 Duration: 12.34 ms Billed Duration: 100 ms Memory Size: 128 MB Max Memory Used: 18 MB\n"
        + "REPORT RequestId: a3\tDuration: 50.00 ms\tBilled Duration: 600 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tRestore Duration: 480.50 ms\tBilled Restore Duration: 500 ms\n"
        + "INIT_REPORT Init Duration: 9999.10 ms Status: timeout\n");
    assertEquals(4, r.size());
    assertEquals("a1", r.get(0).requestId());
    assertEquals(7192.17, r.get(0).durationMs());
    assertEquals(163.01, r.get(0).initDurationMs());
    assertEquals(128, r.get(0).memoryMb());
    assertEquals(12.34, r.get(1).durationMs());
    assertNull(r.get(1).initDurationMs());
    assertEquals("snap-start", r.get(2).initType());
    assertEquals(480.5, r.get(2).restoreDurationMs());
    assertEquals(50.0, r.get(2).durationMs());
    assertNull(r.get(3).requestId());
    assertEquals("timeout", r.get(3).status());
  }

  @Test
  void telemetryEventsAndTheReportBuiltFromThem() throws Exception {
    List<PlatformReport> r = read(
        "{\"time\":\"2024-05-01T12:00:00Z\",\"type\":\"platform.initReport\",\"record\":{\"initializationType\":\"provisioned-concurrency\",\"phase\":\"init\",\"status\":\"success\",\"metrics\":{\"durationMs\":812.5}}}\n"
            + "{\"time\":\"2024-05-01T12:00:01Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"r1\",\"status\":\"success\",\"metrics\":{\"durationMs\":693.92,\"billedDurationMs\":694,\"memorySizeMB\":1024,\"maxMemoryUsedMB\":84}}}\n"
            + "{\"time\":\"2024-05-01T12:00:02Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"r2\",\"status\":\"success\",\"metrics\":{\"durationMs\":3.0,\"billedDurationMs\":3,\"memorySizeMB\":1024,\"maxMemoryUsedMB\":84}}}\n");
    assertEquals(3, r.size());
    ColdStartReport report = ColdStartAnalyzer.analyze("f", "f", List.<Span>of(), r, List.of());
    assertEquals(2, report.invocations());
    assertEquals(1, report.coldStarts());
    assertEquals(812.5, report.initMs().p50());
    assertEquals(1, report.coldStartsByInitType().get("provisioned-concurrency"));
    assertEquals(0, report.findings().size());
  }
}
