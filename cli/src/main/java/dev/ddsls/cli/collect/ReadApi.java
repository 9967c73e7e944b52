package dev.ddsls.cli.collect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;

/**
 * The read API on the collector's port. Spans come back exactly as stored (one Datadog-shaped object each),
 * ordered by start then arrival, a page at a time: pass {@code next_cursor} back as {@code cursor}.
 */
final class ReadApi {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final JsonFactory JSON = new JsonFactory();

  private final Store store;

  ReadApi(Store store) { this.store = store; }

  /** GET /ddsls/v1/spans?service=&function=&from=&to=&trace_id=&cold_start=&request_id=&cursor=&limit= */
  void spans(HttpExchange ex) throws IOException, SQLException {
    Map<String, String> q = HttpIo.query(ex);
    StringBuilder where = new StringBuilder("1=1");
    List<Object> args = new ArrayList<>();
    int limit;
    try {
      limit = limit(q);
      eq(q, "service", "service", where, args);
      eq(q, "function", "function", where, args);
      eq(q, "request_id", "request_id", where, args);
      if (q.containsKey("from")) { where.append(" AND start >= ?"); args.add(nanos(q.get("from"), "from")); }
      if (q.containsKey("to")) { where.append(" AND start < ?"); args.add(nanos(q.get("to"), "to")); }
      if (q.containsKey("trace_id")) traceId(q.get("trace_id"), where, args);
      if (q.containsKey("cold_start")) { where.append(" AND cold_start = ?"); args.add(bool(q.get("cold_start"), "cold_start") ? 1 : 0); }
      cursor(q.get("cursor"), "start", where, args);
    } catch (IllegalArgumentException e) {
      HttpIo.text(ex, 400, e.getMessage());
      return;
    }
    args.add(limit);
    String sql = "SELECT id, start, json FROM spans WHERE " + where + " ORDER BY start, id LIMIT ?";
    String body = store.read(sql, args, rs -> json(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("spans");
      int n = 0;
      long start = 0, id = 0;
      while (rs.next()) {
        id = rs.getLong(1);
        start = rs.getLong(2);
        g.writeRawValue(rs.getString(3));
        n++;
      }
      g.writeEndArray();
      if (n == limit) g.writeStringField("next_cursor", start + "." + id); else g.writeNullField("next_cursor");
      g.writeEndObject();
    }));
    HttpIo.json(ex, 200, body);
  }

  /** GET /ddsls/v1/profiles?service=&function=&from=&to=&tag=k:v&span_id=&cursor=&limit= (metadata, no bytes). */
  void profiles(HttpExchange ex) throws IOException, SQLException {
    Map<String, String> q = HttpIo.query(ex);
    StringBuilder where = new StringBuilder("1=1");
    List<Object> args = new ArrayList<>();
    int limit;
    try {
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
        where.append(" AND EXISTS (SELECT 1 FROM profile_spans s WHERE s.profile_id = p.id AND (s.span_id = ? OR s.local_root_span_id = ?))");
        args.add(span);
        args.add(span);
      }
      cursor(q.get("cursor"), "p.start_ns", where, args);
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
        for (Object[] a : attachments(rs.getString(9))) {
          g.writeStartObject();
          g.writeStringField("name", (String) a[0]);
          g.writeStringField("format", (String) a[1]);
          g.writeStringField("compression", (String) a[2]);
          g.writeNumberField("size", (Long) a[3]);
          g.writeStringField("url", "/ddsls/v1/profiles/" + id + "/" + URLEncoder.encode((String) a[0], StandardCharsets.UTF_8).replace("+", "%20"));
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
  void attachment(HttpExchange ex, String idText, String rawName) throws IOException, SQLException {
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      HttpIo.text(ex, 400, "profile id must be a number: " + idText);
      return;
    }
    String name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
    Object[] row = store.read("SELECT format, compression, data FROM attachments WHERE profile_id = ? AND name = ?", List.of(id, name),
        rs -> rs.next() ? new Object[] {rs.getString(1), rs.getString(2), rs.getBytes(3)} : null);
    if (row == null) {
      HttpIo.text(ex, 404, "no attachment " + name + " in profile " + id);
      return;
    }
    ex.getResponseHeaders().set("X-Ddsls-Format", (String) row[0]);
    ex.getResponseHeaders().set("X-Ddsls-Compression", (String) row[1]);
    HttpIo.send(ex, 200, "application/octet-stream", (byte[]) row[2]);
  }

  private static List<Object[]> attachments(String json) {
    List<Object[]> out = new ArrayList<>();
    try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
        p.nextToken(); String name = p.getText();
        p.nextToken(); String format = p.getText();
        p.nextToken(); String compression = p.getText();
        p.nextToken(); long size = p.getLongValue();
        p.nextToken();
        out.add(new Object[] {name, format, compression, size});
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

  /** Decimal: the low 64 bits (any high half); 32 hex digits: the full 128-bit id. */
  private static void traceId(String v, StringBuilder where, List<Object> args) {
    if (v.length() == 32 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      where.append(" AND trace_id = ? AND trace_id_high = ?");
      args.add(Long.parseUnsignedLong(v.substring(16), 16));
      args.add(Long.parseUnsignedLong(v.substring(0, 16), 16));
      return;
    }
    where.append(" AND trace_id = ?");
    args.add(unsignedDecimal(v, "trace_id"));
  }

  private static long unsignedDecimal(String v, String name) {
    try {
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an unsigned decimal" + (name.equals("trace_id") ? " or 32 hex digits" : "") + ": " + v);
    }
  }

  private static void cursor(String c, String column, StringBuilder where, List<Object> args) {
    if (c == null || c.isEmpty()) return;
    int dot = c.indexOf('.');
    try {
      long start = Long.parseLong(c.substring(0, dot));
      long id = Long.parseLong(c.substring(dot + 1));
      String idColumn = column.startsWith("p.") ? "p.id" : "id";
      // A row value, not "start > ? OR (start = ? AND id > ?)": SQLite seeks the (start, id) index with it instead of
      // scanning from the first row on every page (a million spans took minutes to page through).
      where.append(" AND (").append(column).append(", ").append(idColumn).append(") > (?, ?)");
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
