package dev.ddsls.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One profile upload to /profiling/v1/input: the {@code event} JSON part (V2.4, see docs/formats.md "Profile upload: body") and the
 * attachments it lists. Java names its part {@code main} while listing {@code main.jfr}, so an attachment is
 * found by filename first, then by part name.
 */
final class ProfileUpload {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  final String eventJson;
  /** {@code tags_profiler} split into key/value pairs, in order (keys may repeat). */
  final List<Map.Entry<String, String>> tags;
  final long startNanos;
  final long endNanos;
  final String family;
  final List<Attachment> attachments;

  private ProfileUpload(String eventJson, List<Map.Entry<String, String>> tags, long startNanos, long endNanos,
      String family, List<Attachment> attachments) {
    this.eventJson = eventJson;
    this.tags = tags;
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.family = family;
    this.attachments = attachments;
  }

  String tag(String key) {
    for (Map.Entry<String, String> e : tags) if (e.getKey().equals(key)) return e.getValue();
    return null;
  }

  /**
   * Splits and checks an upload. {@code share} pays for the parts' copies, the event's JSON tree and every inflated
   * attachment; all attachments together inflate to at most {@link Attachment#MAX_INFLATED_PER_UPLOAD}.
   */
  static ProfileUpload parse(String contentType, byte[] body, MemoryBudget.Share share) throws Malformed, MemoryBudget.Exceeded {
    share.take(body.length, "the upload's parts"); // copies of the body's parts, at most the body
    String boundary = Multipart.boundary(contentType);
    List<Multipart.Part> parts = Multipart.parse(body, boundary);
    Multipart.Part event = null;
    for (Multipart.Part p : parts) if (p.name.equals("event")) event = p;
    if (event == null) throw new Malformed("profile: no part named \"event\"");
    JsonNode ev;
    share.take(TraceDecoder.JSON_TREE * event.data.length, "the profile event's JSON");
    try {
      ev = MAPPER.readTree(event.data);
    } catch (JsonProcessingException e) {
      throw new Malformed("profile event: invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Malformed("profile event: unreadable: " + e.getMessage());
    }
    if (ev == null || !ev.isObject()) throw new Malformed("profile event: expected a JSON object");
    long start = time(ev, "start");
    long end = time(ev, "end");
    if (end < start) throw new Malformed("profile event: end is before start");
    JsonNode names = ev.get("attachments");
    if (names == null || !names.isArray() || names.isEmpty()) throw new Malformed("profile event: attachments must be a non-empty array of names");
    List<Attachment> attachments = new ArrayList<>();
    Attachment.Inflate inflate = new Attachment.Inflate(share, Attachment.MAX_INFLATED_PER_UPLOAD);
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (JsonNode n : names) {
      if (!n.isTextual() || n.textValue().isEmpty()) throw new Malformed("profile event: attachment names must be non-empty strings");
      String name = n.textValue();
      if (seen.put(name, Boolean.TRUE) != null) throw new Malformed("profile event: attachment " + name + " listed twice");
      Multipart.Part part = find(parts, name);
      if (part == null) throw new Malformed("profile: attachment " + name + " is listed in the event but has no part");
      attachments.add(Attachment.of(name, part.data, inflate));
    }
    JsonNode tagsNode = ev.get("tags_profiler");
    if (tagsNode != null && !tagsNode.isNull() && !tagsNode.isTextual()) throw new Malformed("profile event: tags_profiler must be a string");
    JsonNode family = ev.get("family");
    if (family != null && !family.isNull() && !family.isTextual()) throw new Malformed("profile event: family must be a string");
    return new ProfileUpload(new String(event.data, StandardCharsets.UTF_8).trim(),
        tags(tagsNode == null ? null : tagsNode.textValue()), start, end, family == null ? "" : family.asText(""), attachments);
  }

  private static Multipart.Part find(List<Multipart.Part> parts, String name) {
    for (Multipart.Part p : parts) if (name.equals(p.filename)) return p;
    for (Multipart.Part p : parts) if (name.equals(p.name)) return p;
    return null;
  }

  /** Splits {@code k:v,k2:v2} (the value may contain ':'); a tag without ':' has an empty value. */
  static List<Map.Entry<String, String>> tags(String s) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (s == null) return out;
    for (String t : s.split(",")) {
      String tag = t.trim();
      if (tag.isEmpty()) continue;
      int c = tag.indexOf(':');
      out.add(Map.entry(c < 0 ? tag : tag.substring(0, c), c < 0 ? "" : tag.substring(c + 1)));
    }
    return out;
  }

  private static long time(JsonNode ev, String field) throws Malformed {
    JsonNode v = ev.get(field);
    if (v == null || !v.isTextual()) throw new Malformed("profile event: " + field + " must be an RFC 3339 string");
    try {
      return nanos(OffsetDateTime.parse(v.textValue()).toInstant());
    } catch (DateTimeParseException e) {
      throw new Malformed("profile event: " + field + " is not RFC 3339: " + v.textValue());
    } catch (ArithmeticException e) {
      // Nanoseconds since the epoch in a long end in April 2262.
      throw new Malformed("profile event: " + field + " is outside 1677-09-21..2262-04-11: " + v.textValue());
    }
  }

  static long nanos(Instant i) { return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano()); }
}
