package dev.ddsls.analysis.trace;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One span with trace-intake field names, parsed from the tokens (no tree per span: that is what a million spans
 * cost). The one reader of this shape: {@link SpanReader} also feeds it the spans it meets inside trees.
 */
final class IntakeSpanParser {
  /** Field names that make an object a trace-intake span when one comes first. */
  static final Set<String> FIELDS = Set.of("trace_id", "span_id", "parent_id", "name", "resource", "service", "start",
      "duration", "error", "meta", "metrics");

  private IntakeSpanParser() {}

  /** {@code p} is on the object's first field name; returns with {@code p} on its END_OBJECT. */
  static Span parse(JsonParser p, StringPool pool) throws IOException {
    long traceId = 0, traceIdHigh = 0, spanId = 0, parentId = 0, start = 0, duration = 0;
    int error = 0;
    boolean hasSpanId = false;
    String name = "", resource = "", service = "", type = "";
    Map<String, String> meta = Map.of();
    Map<String, Double> metrics = Map.of();
    for (JsonToken t = p.currentToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String k = p.currentName();
      JsonToken v = p.nextToken();
      switch (k) {
        case "trace_id" -> {
          if (v == JsonToken.VALUE_STRING) traceIdHigh = SpanReader.high(p.getText());
          traceId = id(p, v);
        }
        case "span_id" -> {
          spanId = id(p, v);
          hasSpanId = true;
        }
        case "parent_id" -> parentId = id(p, v);
        case "name" -> name = text(p, v, pool);
        case "resource" -> resource = text(p, v, pool);
        case "service" -> service = text(p, v, pool);
        case "type" -> type = text(p, v, pool);
        case "start" -> start = number(p, v);
        case "duration" -> duration = number(p, v);
        case "error" -> error = (int) number(p, v);
        case "meta" -> meta = meta(p, v, pool);
        case "metrics" -> metrics = metrics(p, v, pool);
        default -> p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) throw new JsonParseException(p, "unexpected end of a span");
    if (!hasSpanId) throw new IllegalArgumentException("a JSON value that is not a span (no span_id): trace_id " + Long.toUnsignedString(traceId));
    long tid = Span.tid(meta.get(Span.TID));
    return new Span(traceId, tid != 0 ? tid : traceIdHigh, spanId, parentId, name, resource, service, type, start, duration, error,
        meta, metrics);
  }

  private static long id(JsonParser p, JsonToken v) throws IOException {
    if (v == JsonToken.VALUE_NUMBER_INT) {
      return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue() : p.getLongValue();
    }
    if (v == JsonToken.VALUE_NUMBER_FLOAT) {
      // A decimal's exponent is not bounded by Jackson's number-length limit: 1e-99999999 or 1e9999999 as an integer
      // takes minutes of BigInteger arithmetic (found by SpanReaderFuzzTest). An id has at most 20 integer digits.
      BigDecimal d = p.getDecimalValue();
      long digits = (long) d.precision() - d.scale();
      return digits <= 0 || digits > 40 ? 0 : d.toBigInteger().longValue();
    }
    if (v == JsonToken.VALUE_STRING) return SpanReader.id(p.getText());
    p.skipChildren();
    return 0;
  }

  /** Numbers, or numbers in strings (what JsonNode.asLong reads). */
  private static long number(JsonParser p, JsonToken v) throws IOException {
    if (v.isStructStart()) {
      p.skipChildren();
      return 0;
    }
    return p.getValueAsLong(0);
  }

  private static String text(JsonParser p, JsonToken v, StringPool pool) throws IOException {
    if (v.isScalarValue() && v != JsonToken.VALUE_NULL) return pool.get(p.getText());
    p.skipChildren();
    return "";
  }

  private static Map<String, String> meta(JsonParser p, JsonToken v, StringPool pool) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return Map.of();
    }
    Map<String, String> m = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String k = pool.get(p.currentName());
      JsonToken t = p.nextToken();
      if (t.isStructStart()) {
        // asText() of a container is "": what fromSpan stores for nested values
        p.skipChildren();
        m.put(k, "");
      } else {
        m.put(k, t == JsonToken.VALUE_NULL ? "null" : pool.get(p.getText()));
      }
    }
    return SpanReader.compact(m);
  }

  private static Map<String, Double> metrics(JsonParser p, JsonToken v, StringPool pool) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return Map.of();
    }
    Map<String, Double> m = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String k = pool.get(p.currentName());
      JsonToken t = p.nextToken();
      m.put(k, SpanReader.number(t.isNumeric() ? p.getDoubleValue() : t.isStructStart() ? skip(p) : p.getValueAsDouble(0)));
    }
    return SpanReader.compact(m);
  }

  private static double skip(JsonParser p) throws IOException {
    p.skipChildren();
    return 0;
  }
}
