package dev.ddsls.analysis.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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

  private SpanReader() {}

  /** Reads every span of {@code in} into {@code sink}; {@code name} is used in error messages. */
  public static void read(InputStream in, String name, Consumer<Span> sink) throws SpanFormatException {
    try (MappingIterator<JsonNode> it = NODES.readValues(in)) {
      while (it.hasNextValue()) accept(it.nextValue(), sink);
    } catch (JsonProcessingException e) {
      throw new SpanFormatException(name + ": not span JSON at line " + e.getLocation().getLineNr() + ": "
          + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      throw new SpanFormatException(name + ": " + e.getMessage());
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

  private static void accept(JsonNode n, Consumer<Span> sink) {
    if (n.isArray()) {
      for (JsonNode e : n) accept(e, sink);
    } else if (n.isObject() && n.has("data") && n.get("data").isArray()) {
      for (JsonNode e : n.get("data")) accept(e, sink);
    } else if (n.isObject() && n.has("attributes") && "spans".equals(n.path("type").asText())) {
      sink.accept(fromApi(n.get("attributes")));
    } else if (n.isObject() && n.has("span_id")) {
      sink.accept(fromSpan(n));
    } else {
      throw new IllegalArgumentException("a JSON value that is not a span: " + abbreviate(n.toString()));
    }
  }

  /** A span with Datadog's trace-intake field names. */
  public static Span fromSpan(JsonNode n) {
    Map<String, String> meta = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("meta").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      meta.put(e.getKey(), e.getValue().asText());
    }
    Map<String, Double> metrics = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("metrics").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      metrics.put(e.getKey(), e.getValue().asDouble());
    }
    return new Span(id(n.get("trace_id")), id(n.get("span_id")), id(n.get("parent_id")), n.path("name").asText(""),
        n.path("resource").asText(""), n.path("service").asText(""), n.path("type").asText(""), n.path("start").asLong(),
        n.path("duration").asLong(), n.path("error").asInt(), meta, metrics);
  }

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
    return new Span(id(a.get("trace_id")), id(a.get("span_id")), id(a.get("parent_id")), name,
        a.path("resource_name").asText(""), a.path("service").asText(""), a.path("type").asText(""), start,
        Math.max(0, end - start), "error".equals(meta.get("status")) ? 1 : 0, meta, metrics);
  }

  private static void flatten(String prefix, JsonNode n, Map<String, String> meta, Map<String, Double> metrics) {
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) flatten(key + ".", v, meta, metrics);
      else if (v.isNumber()) metrics.put(key, v.asDouble());
      else if (!v.isNull() && !v.isArray()) meta.put(key, v.asText());
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
    String s = n.asText().trim();
    if (s.isEmpty()) return 0;
    boolean hex = s.length() == 32 || s.chars().anyMatch(c -> (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
    return new BigInteger(s, hex ? 16 : 10).longValue();
  }

  private static String abbreviate(String s) { return s.length() > 80 ? s.substring(0, 77) + "..." : s; }
}
