package dev.ddsls.analysis.trace;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads spans from JSON: JSON lines or arrays of spans with Datadog's field names (the agent's {@code spans-*.jsonl},
 * the collector's read API), arrays of traces (v0.4 JSON), and the Datadog spans API's search response
 * ({@code {"data":[{"type":"spans","attributes":{...}}]}}). Streams: memory does not grow with the input.
 */
public final class SpanReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectReader NODES = JSON.readerFor(JsonNode.class);
  private static final ThreadLocal<StringPool> POOL = ThreadLocal.withInitial(StringPool::new);
  private static final Double ZERO = 0.0, ONE = 1.0;

  private SpanReader() {}

  /** Reads every span of {@code in} into {@code sink}; {@code name} is used in error messages. */
  public static void read(InputStream in, String name, Consumer<Span> sink) throws SpanFormatException {
    try (JsonParser p = JSON.getFactory().createParser(in)) {
      for (JsonToken t; (t = p.nextToken()) != null; ) value(p, t, sink);
    } catch (JsonProcessingException e) {
      throw new SpanFormatException(name + ": not span JSON at line " + e.getLocation().getLineNr() + ": "
          + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      throw new SpanFormatException(name + ": " + e.getMessage());
    }
  }

  /**
   * Reads the spans of the JSON value at {@code p}'s current token (one span, an array of spans or traces, a spans API
   * page): for callers that find spans inside a larger document, such as the collector's pages.
   */
  public static void readValue(JsonParser p, Consumer<Span> sink) throws IOException {
    try {
      value(p, p.currentToken(), sink);
    } catch (IllegalArgumentException e) {
      throw new SpanFormatException(e.getMessage());
    }
  }

  /**
   * One top-level value or array element. Objects that start like a trace-intake span (the agent's JSON lines, the
   * collector, v0.4 JSON) are parsed straight from the tokens: a tree per span costs more than the span itself.
   * Anything else (the spans API's wrappers) goes through a tree.
   */
  private static void value(JsonParser p, JsonToken t, Consumer<Span> sink) throws IOException {
    if (t == JsonToken.START_ARRAY) {
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) throw new JsonEOFException(p, null, "unexpected end of input in an array");
        value(p, t, sink);
      }
    } else if (t == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME && IntakeSpanParser.FIELDS.contains(p.currentName())) {
      sink.accept(IntakeSpanParser.parse(p, POOL.get()));
    } else if (p.currentToken() == JsonToken.END_OBJECT) {
      throw new IllegalArgumentException("a JSON value that is not a span: {}");
    } else if (t == JsonToken.START_OBJECT) {
      // Positioned on the first field name: read the rest of the object as a tree and put the first field in front.
      String first = p.currentName();
      p.nextToken();
      JsonNode firstValue = NODES.readValue(p);
      ObjectNode o = JSON.createObjectNode();
      o.set(first, firstValue);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String k = p.currentName();
        p.nextToken();
        o.set(k, NODES.readValue(p));
      }
      accept(o, sink);
    } else {
      accept(NODES.readValue(p), sink);
    }
  }

  /** Whether a JSON value is one span or holds spans (to tell span exports from other JSON in a directory). */
  public static boolean looksLikeSpans(JsonNode n) {
    if (n.isArray()) return n.size() > 0 && looksLikeSpans(n.get(0));
    if (!n.isObject()) return false;
    if (n.has("data") && n.get("data").isArray()) return n.get("data").size() == 0 || looksLikeSpans(n.get("data").get(0));
    if ("spans".equals(n.path("type").asText()) && n.has("attributes")) return true;
    return n.has("span_id") && n.has("trace_id");
  }

  /** A span with trace-intake field names met inside a tree: parsed by the one parser of that shape. */
  private static Span intakeSpan(JsonNode n) {
    try (JsonParser p = n.traverse()) {
      p.nextToken();
      p.nextToken();
      return IntakeSpanParser.parse(p, POOL.get());
    } catch (IOException e) {
      throw new IllegalArgumentException("a span that does not parse: " + e.getMessage());
    }
  }

  private static void accept(JsonNode n, Consumer<Span> sink) {
    if (n.isArray()) {
      for (JsonNode e : n) accept(e, sink);
    } else if (n.isObject() && n.has("data") && n.get("data").isArray()) {
      for (JsonNode e : n.get("data")) accept(e, sink);
    } else if (n.isObject() && n.has("attributes") && "spans".equals(n.path("type").asText())) {
      sink.accept(fromApi(n.get("attributes")));
    } else if (n.isObject() && n.has("span_id")) {
      sink.accept(intakeSpan(n));
    } else {
      throw new IllegalArgumentException("a JSON value that is not a span: " + abbreviate(n.toString()));
    }
  }

  /** Immutable maps keep their entries in one array: a fraction of a HashMap's size, which counts at a million spans. */
  static <V> Map<String, V> compact(Map<String, V> m) { return m.isEmpty() ? Map.of() : Map.copyOf(m); }

  static Double number(double v) { return v == 0 ? ZERO : v == 1 ? ONE : Double.valueOf(v); }

  /** A span of the spans API: {@code attributes} of one {@code data[]} item. */
  public static Span fromApi(JsonNode a) {
    Map<String, String> meta = new HashMap<>();
    Map<String, Double> metrics = new HashMap<>();
    flatten("", a.path("attributes"), meta, metrics);
    flatten("", a.path("custom"), meta, metrics);
    for (JsonNode t : a.path("tags")) {
      String s = t.asText();
      int colon = s.indexOf(':');
      if (colon > 0) meta.putIfAbsent(s.substring(0, colon), s.substring(colon + 1));
    }
    if (a.hasNonNull("env")) meta.putIfAbsent("env", a.get("env").asText());
    long start = epochNanos(a.path("start_timestamp"));
    long end = epochNanos(a.path("end_timestamp"));
    String name = meta.getOrDefault("operation_name", a.path("type").asText(""));
    if (a.hasNonNull("operation_name")) name = a.get("operation_name").asText();
    StringPool pool = POOL.get();
    long high = Span.tid(meta.get(Span.TID));
    if (high == 0 && a.path("trace_id").isTextual()) high = high(a.get("trace_id").asText());
    return new Span(id(a.get("trace_id")), high, id(a.get("span_id")), id(a.get("parent_id")), pool.get(name),
        pool.get(a.path("resource_name").asText("")), pool.get(a.path("service").asText("")), pool.get(a.path("type").asText("")),
        start, Math.max(0, end - start), "error".equals(meta.get("status")) ? 1 : 0, compact(meta), compact(metrics));
  }

  private static void flatten(String prefix, JsonNode n, Map<String, String> meta, Map<String, Double> metrics) {
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      JsonNode v = e.getValue();
      StringPool pool = POOL.get();
      if (v.isObject()) flatten(key + ".", v, meta, metrics);
      else if (v.isNumber()) metrics.put(pool.get(key), number(v.asDouble()));
      else if (!v.isNull() && !v.isArray()) meta.put(pool.get(key), pool.get(v.asText()));
    }
  }

  private static long epochNanos(JsonNode n) {
    if (n.isNumber()) return n.asLong() * 1_000_000L;
    if (!n.isTextual() || n.asText().isEmpty()) return 0;
    Instant t = Instant.parse(n.asText());
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** An id as an unsigned decimal (string or number) or, when it has hex letters or 32 digits, hex (low 64 bits). */
  public static long id(JsonNode n) {
    if (n == null || n.isNull()) return 0;
    if (n.isNumber()) return n.bigIntegerValue().longValue();
    return id(n.asText());
  }

  static long id(String text) {
    String s = text.trim();
    if (s.isEmpty()) return 0;
    boolean hex = s.length() == 32 || s.chars().anyMatch(c -> (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
    return new BigInteger(s, hex ? 16 : 10).longValue();
  }

  /** The high half of a trace id written as 32 hex digits; 0 for any other spelling (a 64-bit id). */
  static long high(String text) {
    String s = text.trim();
    if (s.length() != 32) return 0;
    try {
      return Long.parseUnsignedLong(s.substring(0, 16), 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String abbreviate(String s) { return s.length() > 80 ? s.substring(0, 77) + "..." : s; }
}
