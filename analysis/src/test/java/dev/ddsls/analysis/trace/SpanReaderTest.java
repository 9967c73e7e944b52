package dev.ddsls.analysis.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanReaderTest {
  static List<Span> read(String json) throws Exception {
    List<Span> out = new ArrayList<>();
    SpanReader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "t", out::add);
    return out;
  }

  @Test
  void agentLinesWithUnsignedIdsAboveLongMax() throws Exception {
    List<Span> s = read("{\"trace_id\":18446744073709551615,\"span_id\":9223372036854775808,\"parent_id\":0,\"name\":\"aws.lambda\","
        + "\"resource\":\"f\",\"service\":\"f\",\"start\":5,\"duration\":2000000,\"meta\":{\"cold_start\":\"true\"},\"metrics\":{\"ddsls.init.jvm_ms\":40.5}}\n"
        + "[{\"trace_id\":\"7\",\"span_id\":\"8\",\"parent_id\":\"9\",\"name\":\"x\"}]\n");
    assertEquals(2, s.size());
    assertEquals("18446744073709551615", Long.toUnsignedString(s.get(0).traceId()));
    assertEquals("9223372036854775808", s.get(0).id());
    assertTrue(s.get(0).coldStart());
    assertEquals(40.5, s.get(0).metric("ddsls.init.jvm_ms"));
    assertEquals(2.0, s.get(0).durationMs());
    assertEquals(9, s.get(1).parentId());
  }

  @Test
  void datadogSpansSearchResponse() throws Exception {
    List<Span> s = read("{\"data\":[{\"id\":\"AAA\",\"type\":\"spans\",\"attributes\":{\"trace_id\":\"1234\",\"span_id\":\"5678\","
        + "\"parent_id\":\"0\",\"service\":\"orders\",\"resource_name\":\"orders\",\"env\":\"prod\",\"type\":\"serverless\","
        + "\"start_timestamp\":\"2024-05-01T12:00:00.000Z\",\"end_timestamp\":\"2024-05-01T12:00:00.250Z\","
        + "\"attributes\":{\"operation_name\":\"aws.lambda\",\"cold_start\":true,\"functionname\":\"orders\","
        + "\"function_trigger\":{\"event_source\":\"sqs\"},\"ddsls\":{\"init\":{\"duration_ms\":900.5}}},\"tags\":[\"region:us-east-1\"]}}],"
        + "\"meta\":{\"page\":{\"after\":\"c2\"}}}");
    assertEquals(1, s.size());
    Span x = s.get(0);
    assertEquals("aws.lambda", x.name());
    assertTrue(x.isInvocation() && x.coldStart());
    assertEquals(250_000_000L, x.duration());
    assertEquals("sqs", x.meta("function_trigger.event_source"));
    assertEquals(900.5, x.metric("ddsls.init.duration_ms"));
    assertEquals("prod", x.meta("env"));
    assertEquals("us-east-1", x.meta("region"));
  }

  @Test
  void truncatedInputNamesTheFile() {
    SpanFormatException e = assertThrows(SpanFormatException.class, () -> read("{\"trace_id\":1,\"span_id\":2}\n{\"trace_id\":"));
    assertTrue(e.getMessage().startsWith("t: "), e.getMessage());
  }

  @Test
  void xrayIdConversion() {
    assertEquals(0x7FFFFFFFFFFFFFFFL & Long.parseUnsignedLong("c398be037738dc042009320".substring(7), 16),
        XRaySegment.datadogTraceId("1-5e272390-8c398be037738dc042009320"));
    assertEquals(Long.parseUnsignedLong("f47de98115aabbcc", 16), XRaySegment.datadogTraceId("1-66bcb5eb-00000000f47de98115aabbcc"),
        "Datadog-injected X-Ray ids keep 64 bits");
    assertEquals(Long.parseUnsignedLong("94ae789b969f1cc5", 16), XRaySegment.datadogSpanId("94ae789b969f1cc5"));
  }
}
