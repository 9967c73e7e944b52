package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.agent.trace.Span;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesOneLineWithUnsignedIdsAndEscapedStrings() throws Exception {
    String tricky = "q\"uote \\ back\nnew\ttab \u0001 ctl \u2028 ls \uD83D\uDE00 é";
    Span s = TraceEncoderTest.span(-1L, 0x1234L, Long.MIN_VALUE, 5, tricky);
    s.meta().put("k", tricky);
    s.metrics().put("m", 2.5);
    s.metrics().put("whole", 3.0);
    s.metrics().put("nan", Double.NaN);
    String lines = new String(SpanJson.lines(List.of(s)), StandardCharsets.UTF_8);
    assertTrue(lines.endsWith("\n"), lines);
    String line = lines.substring(0, lines.length() - 1);
    assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u2028"), line);

    JsonNode n = JSON.readTree(line);
    assertEquals(new BigInteger("18446744073709551615"), n.get("trace_id").bigIntegerValue());
    assertEquals(new BigInteger("9223372036854775808"), n.get("span_id").bigIntegerValue());
    assertEquals(5, n.get("parent_id").asLong());
    assertEquals(tricky, n.get("name").asText());
    assertEquals(tricky, n.get("meta").get("k").asText());
    assertEquals("0000000000001234", n.get("meta").get("_dd.p.tid").asText());
    assertEquals(2.5, n.get("metrics").get("m").asDouble());
    assertEquals(3.0, n.get("metrics").get("whole").asDouble());
    assertFalse(n.get("metrics").has("nan"), "NaN cannot be JSON");
    assertEquals(1_755_000_000_123_456_789L, n.get("start").asLong());
    assertEquals("svc", n.get("service").asText());
    assertEquals("serverless", n.get("type").asText());
    assertEquals(0, n.get("error").asInt());
    assertTrue(line.startsWith("{\"trace_id\":18446744073709551615,\"span_id\":9223372036854775808,\"parent_id\":5,\"name\":"), line);
  }

  @Test
  void jsonWriterNestsAndSeparates() {
    JsonWriter j = new JsonWriter();
    j.beginObject().name("a").beginArray().value(1).value("x").beginObject().endObject().beginArray().endArray().endArray()
        .name("b").value((String) null).name("c").value(true).name("d").value(Double.POSITIVE_INFINITY)
        .name("e").valueUnsigned(-1L).endObject();
    assertEquals("{\"a\":[1,\"x\",{},[]],\"b\":null,\"c\":true,\"d\":null,\"e\":18446744073709551615}", j.toString());
  }
}
