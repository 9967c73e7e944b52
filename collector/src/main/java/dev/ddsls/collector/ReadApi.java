package dev.ddsls.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read API on the collector's port. Spans come back exactly as stored (one Datadog-shaped object each),
 * ordered by start then arrival, a page at a time: pass {@code next_cursor} back as {@code cursor}.
 */
final class ReadApi {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final JsonFactory JSON = new JsonFactory();
  static final Set<String> SPAN_PARAMETERS = new LinkedHashSet<>(List.of("service", "function", "from", "to", "trace_id", "cold_start",
      "request_id", "cursor", "limit", "all"));
  static final Set<String> PROFILE_PARAMETERS = new LinkedHashSet<>(List.of("service", "function", "from", "to", "tag", "span_id", "cursor",
      "limit"));

  private final Store store;

  ReadApi(Store store) { this.store = store; }

  /**
   * GET /ddsls/v1/spans?service=&function=&from=&to=&trace_id=&cold_start=&request_id=&cursor=&limit=, or with
   * {@code all=true} every matching span in one streamed answer, in arrival order, without paging.
   */
  void spans(Exchange ex) throws IOException, SQLException {
    Map<String, String> q = HttpIo.query(ex);
    SpanQuery query;
    int limit;
    boolean all;
    try {
      HttpIo.known(q, SPAN_PARAMETERS, "/ddsls/v1/spans");
      limit = limit(q);
      all = q.containsKey("all") && bool(q.get("all"), "all");
      query = new SpanQuery(q);
    } catch (IllegalArgumentException e) {
      HttpIo.text(ex, 400, e.getMessage());
      return;
    }
    if (all) streamAll(ex, query);
    else HttpIo.send(ex, 200, "application/json", page(query, limit));
  }

  /** One page: chunks in order of their first start; stops once no later chunk can hold a span of this page. */
  private byte[] page(SpanQuery query, int limit) throws SQLException {
    List<Object> args = new ArrayList<>();
    String where = query.chunkWhere(args);
    if (query.cursorStart != null) { where += " AND c.max_start >= ?"; args.add(query.cursorStart); }
    List<FoundSpan> found = new ArrayList<>();
    store.read("SELECT c.id, c.min_start, c.data FROM span_chunks c WHERE " + where + " ORDER BY c.min_start, c.id", args, rs -> {
      while (rs.next()) {
        if (found.size() >= limit && rs.getLong(2) > found.get(limit - 1).start) break;
        long chunkId = rs.getLong(1);
        SpanChunk c = SpanChunk.decode(rs.getBytes(3));
        for (int i = 0; i < c.count; i++) {
          long id = chunkId << 16 | i;
          if (query.matches(c, i, id)) found.add(new FoundSpan(c.start[i], id, Arrays.copyOfRange(c.raw, c.jsonOffset[i], c.jsonOffset[i] + c.jsonLength[i])));
        }
        if (found.size() >= limit) { // keeps found.get(limit - 1) the latest span this page can hold
          found.sort(BY_START_ID);
          found.subList(limit, found.size()).clear();
        }
      }
      return null;
    });
    found.sort(BY_START_ID);
    Bytes out = new Bytes(64 + found.size() * 512);
    out.ascii("{\"spans\":[");
    for (int i = 0; i < found.size(); i++) {
      if (i > 0) out.put(',');
      byte[] json = found.get(i).json;
      out.put(json, 0, json.length);
    }
    out.ascii("],\"next_cursor\":");
    if (found.size() == limit) {
      FoundSpan last = found.get(limit - 1);
      out.ascii("\"" + last.start + "." + last.id + "\"}");
    } else {
      out.ascii("null}");
    }
    return out.toArray();
  }

  /** A span a page may hold: its start, its id in the store (chunk id and index) and its JSON as stored. */
  private record FoundSpan(long start, long id, byte[] json) {}

  private static final Comparator<FoundSpan> BY_START_ID = Comparator.comparingLong(FoundSpan::start).thenComparingLong(FoundSpan::id);

  /** A stored chunk of spans, as read for a download. */
  private record ChunkRow(long id, byte[] data) {}

  /** An attachment as the profile list describes it. */
  private record AttachmentInfo(String name, String format, String compression, long size) {}

  /**
   * Every matching span, chunk by chunk in arrival order, written as stored. The reading connection is held for
   * one small batch of chunks at a time, so a long download does not stall other readers.
   */
  private void streamAll(Exchange ex, SpanQuery query) throws IOException, SQLException {
    if (ex.head()) {
      HttpIo.send(ex, 200, "application/json", new byte[0]);
      return;
    }
    try (OutputStream out = new BufferedOutputStream(ex.stream("application/json"), 1 << 16)) {
      out.write("{\"spans\":[".getBytes(StandardCharsets.US_ASCII));
      boolean first = true;
      long after = 0;
      while (true) {
        List<Object> args = new ArrayList<>();
        String where = query.chunkWhere(args) + " AND c.id > ?";
        args.add(after);
        List<ChunkRow> batch = store.read("SELECT c.id, c.data FROM span_chunks c WHERE " + where + " ORDER BY c.id LIMIT 8", args, rs -> {
          List<ChunkRow> rows = new ArrayList<>();
          while (rs.next()) rows.add(new ChunkRow(rs.getLong(1), rs.getBytes(2)));
          return rows;
        });
        if (batch.isEmpty()) break;
        for (ChunkRow row : batch) {
          long chunkId = row.id;
          after = chunkId;
          SpanChunk c = SpanChunk.decode(row.data);
          for (int i = 0; i < c.count; i++) {
            if (!query.matches(c, i, chunkId << 16 | i)) continue;
            if (!first) out.write(',');
            first = false;
            out.write(c.raw, c.jsonOffset[i], c.jsonLength[i]);
          }
        }
      }
      out.write("],\"next_cursor\":null}".getBytes(StandardCharsets.US_ASCII));
    }
    ex.finish(null);
  }

  /** The span filters of one request: first which chunks can hold a match (SQL on the keys), then each span. */
  private static final class SpanQuery {
    final String service, function, requestId;
    final Long from, to, cursorStart, cursorId;
    final Long traceId, traceIdHigh;
    final Byte cold;

    SpanQuery(Map<String, String> q) {
      service = q.get("service");
      function = q.get("function");
      requestId = q.get("request_id");
      from = q.containsKey("from") ? nanos(q.get("from"), "from") : null;
      to = q.containsKey("to") ? nanos(q.get("to"), "to") : null;
      cold = q.containsKey("cold_start") ? (byte) (bool(q.get("cold_start"), "cold_start") ? 2 : 1) : null;
      String t = q.get("trace_id");
      if (t == null) {
        traceId = null;
        traceIdHigh = null;
      } else if (t.length() == 32 && t.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
        traceId = Long.parseUnsignedLong(t.substring(16), 16);
        traceIdHigh = Long.parseUnsignedLong(t.substring(0, 16), 16);
      } else {
        traceId = unsignedDecimal(t, "trace_id");
        traceIdHigh = null;
      }
      String c = q.get("cursor");
      if (c == null || c.isEmpty()) {
        cursorStart = null;
        cursorId = null;
      } else {
        try {
          int dot = c.indexOf('.');
          cursorStart = Long.parseLong(c.substring(0, dot));
          cursorId = Long.parseLong(c.substring(dot + 1));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("cursor is not one this collector gave out: " + c);
        }
      }
    }

    /** A WHERE clause over span_chunks c; the most selective key first, as a lookup, the others as checks. */
    String chunkWhere(List<Object> args) {
      List<String> keys = new ArrayList<>();
      if (traceId != null) keys.add(SpanChunk.traceKey(traceId));
      if (requestId != null) keys.add(SpanChunk.requestKey(requestId));
      if (function != null) keys.add(SpanChunk.functionKey(function));
      if (service != null) keys.add(SpanChunk.serviceKey(service));
      if (cold != null) keys.add(SpanChunk.coldKey(cold == 2));
      StringBuilder w = new StringBuilder("1=1");
      for (int i = 0; i < keys.size(); i++) {
        w.append(i == 0 ? " AND c.id IN (SELECT chunk_id FROM chunk_keys WHERE key = ?)"
            : " AND EXISTS (SELECT 1 FROM chunk_keys k WHERE k.key = ? AND k.chunk_id = c.id)");
        args.add(SpanChunk.hash(keys.get(i)));
      }
      if (from != null) { w.append(" AND c.max_start >= ?"); args.add(from); }
      if (to != null) { w.append(" AND c.min_start < ?"); args.add(to); }
      return w.toString();
    }

    boolean matches(SpanChunk c, int i, long id) {
      long start = c.start[i];
      if (from != null && start < from) return false;
      if (to != null && start >= to) return false;
      if (cursorStart != null && (start < cursorStart || (start == cursorStart && id <= cursorId))) return false;
      if (service != null && !service.equals(c.service[i])) return false;
      if (function != null && !function.equals(c.function[i])) return false;
      if (requestId != null && !requestId.equals(c.requestId[i])) return false;
      if (cold != null && cold != c.cold[i]) return false;
      if (traceId != null && traceId != c.traceId[i]) return false;
      return traceIdHigh == null || traceIdHigh == c.traceIdHigh[i];
    }
  }

  /** GET /ddsls/v1/profiles?service=&function=&from=&to=&tag=k:v&span_id=&cursor=&limit= (metadata, no bytes). */
  void profiles(Exchange ex) throws IOException, SQLException {
    Map<String, String> q = HttpIo.query(ex);
    StringBuilder where = new StringBuilder("1=1");
    List<Object> args = new ArrayList<>();
    int limit;
    try {
      HttpIo.known(q, PROFILE_PARAMETERS, "/ddsls/v1/profiles");
      limit = limit(q);
      eq(q, "service", "p.service", where, args);
      eq(q, "function", "p.function", where, args);
      if (q.containsKey("from")) { where.append(" AND p.end_ns >= ?"); args.add(nanos(q.get("from"), "from")); }
      if (q.containsKey("to")) { where.append(" AND p.start_ns < ?"); args.add(nanos(q.get("to"), "to")); }
      if (q.containsKey("tag")) {
        String tag = q.get("tag");
        int c = tag.indexOf(':');
        if (c <= 0) throw new IllegalArgumentException("tag must be key:value");
        where.append(" AND EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND t.key = ? AND t.value = ?)");
        args.add(tag.substring(0, c));
        args.add(tag.substring(c + 1));
      }
      if (q.containsKey("span_id")) {
        long span = unsignedDecimal(q.get("span_id"), "span_id");
        // profile_spans holds span ids and local root span ids alike.
        where.append(" AND EXISTS (SELECT 1 FROM profile_spans s WHERE s.profile_id = p.id AND s.span_id = ?)");
        args.add(span);
      }
      cursor(q.get("cursor"), where, args);
    } catch (IllegalArgumentException e) {
      HttpIo.text(ex, 400, e.getMessage());
      return;
    }
    args.add(limit);
    String sql = "SELECT p.id, p.received, p.start_ns, p.end_ns, p.service, p.function, p.family, p.event,"
        + " (SELECT json_group_array(json_array(a.name, a.format, a.compression, a.size)) FROM attachments a WHERE a.profile_id = p.id)"
        + " FROM profiles p WHERE " + where + " ORDER BY p.start_ns, p.id LIMIT ?";
    String body = store.read(sql, args, rs -> json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("profiles");
      int n = 0;
      long start = 0, id = 0;
      while (rs.next()) {
        id = rs.getLong(1);
        start = rs.getLong(3);
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeStringField("received", Instant.ofEpochMilli(rs.getLong(2)).toString());
        g.writeStringField("start", instant(start));
        g.writeStringField("end", instant(rs.getLong(4)));
        g.writeStringField("service", rs.getString(5));
        g.writeStringField("function", rs.getString(6));
        g.writeStringField("family", rs.getString(7));
        g.writeArrayFieldStart("attachments");
        for (AttachmentInfo a : attachments(rs.getString(9))) {
          g.writeStartObject();
          g.writeStringField("name", a.name);
          g.writeStringField("format", a.format);
          g.writeStringField("compression", a.compression);
          g.writeNumberField("size", a.size);
          g.writeStringField("url", "/ddsls/v1/profiles/" + id + "/" + URLEncoder.encode(a.name, StandardCharsets.UTF_8).replace("+", "%20"));
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeFieldName("event");
        g.writeRawValue(rs.getString(8));
        g.writeEndObject();
        n++;
      }
      g.writeEndArray();
      if (n == limit) g.writeStringField("next_cursor", start + "." + id); else g.writeNullField("next_cursor");
      g.writeEndObject();
    }));
    HttpIo.json(ex, 200, body);
  }

  /** GET /ddsls/v1/profiles/{id}/{attachment}: the bytes as uploaded; headers say format and compression. */
  void attachment(Exchange ex, String idText, String rawName) throws IOException, SQLException {
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      HttpIo.text(ex, 400, "profile id must be a number: " + idText);
      return;
    }
    String name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
    StoredAttachment row = store.read("SELECT format, compression, data FROM attachments WHERE profile_id = ? AND name = ?", List.of(id, name),
        rs -> rs.next() ? new StoredAttachment(rs.getString(1), rs.getString(2), rs.getBytes(3)) : null);
    if (row == null) {
      HttpIo.text(ex, 404, "no attachment " + name + " in profile " + id);
      return;
    }
    ex.responseHeader("X-Ddsls-Format", row.format);
    ex.responseHeader("X-Ddsls-Compression", row.compression);
    HttpIo.send(ex, 200, "application/octet-stream", row.data);
  }

  /** An attachment's bytes as uploaded, with what the upload said of them. */
  private record StoredAttachment(String format, String compression, byte[] data) {
  }

  private static List<AttachmentInfo> attachments(String json) {
    List<AttachmentInfo> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.START_ARRAY) {
        p.nextToken(); String name = p.getText();
        p.nextToken(); String format = p.getText();
        p.nextToken(); String compression = p.getText();
        p.nextToken(); long size = p.getLongValue();
        p.nextToken();
        out.add(new AttachmentInfo(name, format, compression, size));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException, SQLException;
  }

  private static String json(Writer w) throws SQLException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static int limit(Map<String, String> q) {
    if (!q.containsKey("limit")) return DEFAULT_LIMIT;
    try {
      int l = Integer.parseInt(q.get("limit"));
      if (l >= 1 && l <= MAX_LIMIT) return l;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
  }

  private static void eq(Map<String, String> q, String param, String column, StringBuilder where, List<Object> args) {
    if (!q.containsKey(param)) return;
    where.append(" AND ").append(column).append(" = ?");
    args.add(q.get(param));
  }

  private static long unsignedDecimal(String v, String name) {
    try {
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an unsigned decimal" + (name.equals("trace_id") ? " or 32 hex digits" : "") + ": " + v);
    }
  }

  /** The profiles page's keyset cursor, START.ID: the rows after it in (p.start_ns, p.id) order. */
  private static void cursor(String c, StringBuilder where, List<Object> args) {
    if (c == null || c.isEmpty()) return;
    int dot = c.indexOf('.');
    try {
      long start = Long.parseLong(c.substring(0, dot));
      long id = Long.parseLong(c.substring(dot + 1));
      // A row value, not "start > ? OR (start = ? AND id > ?)": SQLite seeks the (start, id) index with it instead of
      // scanning from the first row on every page (a million spans took minutes to page through).
      where.append(" AND (p.start_ns, p.id) > (?, ?)");
      args.add(start);
      args.add(id);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cursor is not one this collector gave out: " + c);
    }
  }

  private static boolean bool(String v, String name) {
    if ("true".equalsIgnoreCase(v)) return true;
    if ("false".equalsIgnoreCase(v)) return false;
    throw new IllegalArgumentException(name + " must be true or false");
  }

  /** ISO-8601 with an offset, or epoch milliseconds, as nanoseconds since the epoch. */
  static long nanos(String v, String name) {
    try {
      if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) return Math.multiplyExact(Long.parseLong(v), 1_000_000L);
      return ProfileUpload.nanos(OffsetDateTime.parse(v).toInstant());
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be ISO-8601 (2024-05-01T12:00:00Z) or epoch milliseconds: " + v);
    }
  }

  private static String instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
  }
}
