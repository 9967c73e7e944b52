package dev.ddsls.formats.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpanJsonWriterTest {
  static String text(SpanJsonWriter w) { return new String(w.buffer(), 0, w.length(), StandardCharsets.UTF_8); }

  @Test void fieldsInOneOrderIdsUnsignedStringsEscapedAndNonFiniteMetricsLeftOut() {
    SpanJsonWriter w = new SpanJsonWriter();
    w.start(-1L, 42, 0, "aws.lambda", "q\"uote\\ \u00e9 \ud83d\ude00 \ud800", null, "serverless", 1_700_000_000_000_000_000L, 1500, 1)
        .meta("functionname", "orders").meta(null, "dropped").meta("line\n", null)
        .metric("_sampling_priority_v1", 1).metric("nan", Double.NaN).metric("inf", Double.POSITIVE_INFINITY).end();
    assertEquals("{\"trace_id\":18446744073709551615,\"span_id\":42,\"parent_id\":0,\"name\":\"aws.lambda\","
        + "\"resource\":\"q\\\"uote\\\\ \u00e9 \ud83d\ude00 \\ud800\",\"service\":\"\",\"type\":\"serverless\","
        + "\"start\":1700000000000000000,\"duration\":1500,\"error\":1,\"meta\":{\"functionname\":\"orders\",\"line\\n\":\"\"},"
        + "\"metrics\":{\"_sampling_priority_v1\":1.0}}", text(w));
  }

  @Test void aSpanWithoutTagsAndTheWriterReused() {
    SpanJsonWriter w = new SpanJsonWriter();
    w.start(1, 2, 3, "a".repeat(2000), "r", "s", "t", 4, 5, 0).end();
    w.start(1, 2, 3, "n", "r", "s", "t", 4, 5, 0).end();
    assertEquals("{\"trace_id\":1,\"span_id\":2,\"parent_id\":3,\"name\":\"n\",\"resource\":\"r\",\"service\":\"s\",\"type\":\"t\","
        + "\"start\":4,\"duration\":5,\"error\":0,\"meta\":{},\"metrics\":{}}", text(w));
  }

  @Test void metaAfterAMetricIsAMistake() {
    SpanJsonWriter w = new SpanJsonWriter().start(1, 2, 3, "n", "r", "s", "t", 4, 5, 0).metric("m", 1);
    assertThrows(IllegalStateException.class, () -> w.meta("k", "v"));
    assertThrows(IllegalStateException.class, () -> new SpanJsonWriter().end());
  }
}
