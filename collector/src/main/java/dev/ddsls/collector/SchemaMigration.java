package dev.ddsls.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.analysis.trace.Span;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Upgrades a store written by an earlier ddsls, in one transaction (a crash midway leaves the old store as it was).
 * Schema 1 kept one row per span with seven indexes and one row per (profile, span, root) link; schema 2 keeps span
 * chunks with their keys, and one row per (span id, profile).
 */
final class SchemaMigration {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaMigration() {}

  static void fromV1(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE spans RENAME TO spans_v1");
      s.execute("ALTER TABLE profile_spans RENAME TO profile_spans_v1");
      for (String index : List.of("spans_start", "spans_service", "spans_function", "spans_trace", "spans_cold_start",
          "spans_request", "spans_received", "profile_spans_span", "profile_spans_root")) {
        s.execute("DROP INDEX IF EXISTS " + index);
      }
      for (String sql : Store.SPAN_TABLES) s.execute(sql);
      s.execute(Store.PROFILE_SPANS);
      s.execute("INSERT OR IGNORE INTO profile_spans(profile_id, span_id) SELECT profile_id, span_id FROM profile_spans_v1"
          + " UNION SELECT profile_id, local_root_span_id FROM profile_spans_v1 WHERE local_root_span_id != 0");
      chunkSpans(c);
      s.execute("DROP TABLE spans_v1");
      s.execute("DROP TABLE profile_spans_v1");
      s.execute("PRAGMA user_version=2");
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Old span rows, in arrival order, into chunks of consecutive rows received in the same millisecond. */
  private static void chunkSpans(Connection c) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT received, trace_id_high, json FROM spans_v1 ORDER BY id");
         PreparedStatement chunk = c.prepareStatement(Store.INSERT_CHUNK);
         PreparedStatement key = c.prepareStatement(Store.INSERT_KEYS);
         ResultSet rs = q.executeQuery()) {
      List<Span> spans = new ArrayList<>();
      long received = 0;
      while (true) {
        boolean more = rs.next();
        if (!spans.isEmpty() && (!more || rs.getLong(1) != received || spans.size() == SpanChunk.MAX_SPANS)) {
          SpanChunk.Encoded e = SpanChunk.encode(spans);
          Store.insertChunk(chunk, received, e, Store.crc(e.data));
          long id;
          try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT last_insert_rowid()")) { id = r.getLong(1); }
          Store.insertKeys(key, id, e.keys);
          spans.clear();
        }
        if (!more) return;
        received = rs.getLong(1);
        try {
          // The high half was stored beside the JSON, which has it only where the tracer put it.
          spans.add(TraceDecoder.spanJson(JSON.readTree(rs.getString(3)), "stored span").withTraceIdHigh(rs.getLong(2)));
        } catch (Exception e) {
          throw new IllegalStateException("cannot migrate the store: a stored span is unreadable (" + e.getMessage() + ")");
        }
      }
    }
  }
}
