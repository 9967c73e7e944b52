package dev.ddsls.analysis.trace;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the X-Ray export reader as diagnose uses it: the document, its segments' documents (JSON
 * inside a string), and the Datadog ids the connectivity check derives from each segment's ids.
 */
class XRaySegmentFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest(maxDuration = "30s")
  void anyExportIsSegmentsOrOneError(byte[] data) {
    try {
      JsonNode doc = JSON.readTree(data);
      if (doc == null || !XRaySegment.isExport(doc)) return;
      for (XRaySegment s : XRaySegment.read(doc)) {
        XRaySegment.datadogTraceId(s.traceId());
        XRaySegment.datadogSpanId(s.id());
      }
    } catch (IOException expected) {
      // not JSON, or a segment document that is not
    }
  }
}
