package dev.ddsls.analysis.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ddsls.formats.span.SpanJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The high half of a 128-bit trace id: read, spread over the trace, printed, written back as it came. */
class TraceIdsTest {
  static final long HIGH = 0x6502f1a400000000L;

  @Test
  void readFromTheTidTagOrA32DigitId() throws Exception {
    List<Span> s = SpanReaderTest.read("{\"trace_id\":7,\"span_id\":1,\"meta\":{\"_dd.p.tid\":\"6502f1a400000000\"}}\n"
        + "{\"trace_id\":\"6502f1a4000000000000000000000007\",\"span_id\":2}\n"
        + "{\"trace_id\":7,\"span_id\":3,\"meta\":{\"_dd.p.tid\":\"not hex at all!\"}}\n"
        + "{\"other\":1,\"trace_id\":7,\"span_id\":4,\"meta\":{\"_dd.p.tid\":\"6502f1a400000000\"}}\n");
    assertEquals(List.of(HIGH, HIGH, 0L, HIGH), s.stream().map(Span::traceIdHigh).toList());
    assertEquals(List.of(7L, 7L, 7L, 7L), s.stream().map(Span::traceId).toList(), "the low half links spans, as before");
  }

  @Test
  void spreadOverTheTraceUnlessTwoHighHalvesShareALowOne() {
    List<Span> spans = new ArrayList<>(List.of(span(7, HIGH, 1), span(7, 0, 2), span(8, 0, 3), span(9, 1, 4), span(9, 2, 5),
        span(9, 0, 6)));
    TraceIds.completeHighHalves(spans);
    assertEquals(List.of(HIGH, HIGH, 0L, 1L, 2L, 0L), spans.stream().map(Span::traceIdHigh).toList());
  }

  @Test
  void printedWholeOnlyWhenThereIsAHighHalf() {
    assertEquals("6502f1a4000000000000000000000007", span(7, HIGH, 1).traceIdText());
    assertEquals("18446744073709551615", span(-1, 0, 1).traceIdText());
  }

  @Test
  void writtenWithTheTidWhereTheTracerPutItAndReadBack() throws Exception {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("functionname", "f\u00e9\"");
    meta.put(Span.TID, "6502f1a400000000");
    Span s = new Span(-1, HIGH, 2, 1, "aws.lambda", "r", "svc", "serverless", 5, 6, 1, meta, Map.of("m", 1.5, "nan", Double.NaN));
    byte[] json = s.writeJson(new SpanJsonWriter()).toByteArray();
    assertEquals("{\"trace_id\":18446744073709551615,\"span_id\":2,\"parent_id\":1,\"name\":\"aws.lambda\",\"resource\":\"r\","
        + "\"service\":\"svc\",\"type\":\"serverless\",\"start\":5,\"duration\":6,\"error\":1,"
        + "\"meta\":{\"functionname\":\"f\u00e9\\\"\",\"_dd.p.tid\":\"6502f1a400000000\"},\"metrics\":{\"m\":1.5}}",
        new String(json, StandardCharsets.UTF_8));
    Span back = SpanReaderTest.read(new String(json, StandardCharsets.UTF_8)).get(0);
    assertEquals("6502f1a400000000ffffffffffffffff", back.traceIdText());
    assertEquals(meta, back.meta());
  }

  static Span span(long low, long high, long id) {
    return new Span(low, high, id, 0, "x", "", "s", "", 0, 0, 0, Map.of(), Map.of());
  }
}
