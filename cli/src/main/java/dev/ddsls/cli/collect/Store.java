package dev.ddsls.cli.collect;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The collector's durable store: one SQLite database in WAL mode with synchronous=FULL, so a committed
 * transaction has been fsynced to the write-ahead log before the collector answers 2xx, and a crash at any
 * point leaves the last committed state (SQLite replays or ignores the log on the next open). Each request is
 * one transaction: all its records or none. Every record also carries a CRC32C of its bytes, which
 * {@link #check} verifies on top of SQLite's own structural check. One connection writes (SQLite has a single
 * writer anyway); another reads, never blocked by the writer in WAL mode.
 */
final class Store implements AutoCloseable {
  static final String FILE = "collect.db";
  private static final int SCHEMA = 1;

  private final Path file;
  private final Connection writer;
  private final Connection reader;
  /** Inserts waiting for the next group commit; guarded by itself. */
  private final List<Pending<?>> pending = new ArrayList<>();
  /** Reused across requests: preparing costs more than binding. Guarded by the writer's lock. */
  private PreparedStatement insertSpan;

  private Store(Path file, Connection writer, Connection reader) {
    this.file = file;
    this.writer = writer;
    this.reader = reader;
  }

  Path file() { return file; }

  static boolean exists(Path dir) { return Files.isRegularFile(dir.resolve(FILE)); }

  static Store open(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    Class.forName("org.sqlite.JDBC");
    Connection w = connect(file);
    try (Statement s = w.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      // Keeps the log from staying large after a burst; checkpoints still happen every 1000 pages.
      s.execute("PRAGMA journal_size_limit=67108864");
      // Index pages of a large store stay in memory instead of being re-read for every insert (native memory).
      s.execute("PRAGMA cache_size=-32768");
      int version;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) { version = rs.getInt(1); }
      if (version > SCHEMA) throw new IllegalStateException("store schema " + version + " is newer than this ddsls (" + SCHEMA + ")");
      if (version < SCHEMA) createSchema(w);
    }
    return new Store(file, w, connect(file));
  }

  private static Connection connect(Path file) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA synchronous=FULL");
      s.execute("PRAGMA busy_timeout=10000");
      s.execute("PRAGMA foreign_keys=ON");
    }
    return c;
  }

  private static void createSchema(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE spans(id INTEGER PRIMARY KEY, received INTEGER NOT NULL,"
          + " trace_id INTEGER NOT NULL, trace_id_high INTEGER NOT NULL, span_id INTEGER NOT NULL, parent_id INTEGER NOT NULL,"
          + " service TEXT NOT NULL, function TEXT, name TEXT NOT NULL, start INTEGER NOT NULL, duration INTEGER NOT NULL,"
          + " cold_start INTEGER, request_id TEXT, json TEXT NOT NULL, crc INTEGER NOT NULL)");
      s.execute("CREATE INDEX spans_start ON spans(start, id)");
      s.execute("CREATE INDEX spans_service ON spans(service, start)");
      s.execute("CREATE INDEX spans_function ON spans(function, start) WHERE function IS NOT NULL");
      s.execute("CREATE INDEX spans_trace ON spans(trace_id)");
      s.execute("CREATE INDEX spans_cold_start ON spans(cold_start, start) WHERE cold_start IS NOT NULL");
      s.execute("CREATE INDEX spans_request ON spans(request_id) WHERE request_id IS NOT NULL");
      s.execute("CREATE INDEX spans_received ON spans(received)");
      s.execute("CREATE TABLE profiles(id INTEGER PRIMARY KEY, received INTEGER NOT NULL, start_ns INTEGER NOT NULL,"
          + " end_ns INTEGER NOT NULL, service TEXT, function TEXT, family TEXT NOT NULL, event TEXT NOT NULL, crc INTEGER NOT NULL)");
      s.execute("CREATE INDEX profiles_start ON profiles(start_ns, id)");
      s.execute("CREATE INDEX profiles_service ON profiles(service, start_ns)");
      s.execute("CREATE INDEX profiles_received ON profiles(received)");
      s.execute("CREATE TABLE profile_tags(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
          + " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(profile_id, key, value)) WITHOUT ROWID");
      s.execute("CREATE INDEX profile_tags_kv ON profile_tags(key, value)");
      s.execute("CREATE TABLE attachments(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
          + " name TEXT NOT NULL, format TEXT NOT NULL, compression TEXT NOT NULL, size INTEGER NOT NULL,"
          + " crc INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(profile_id, name))");
      // Filled through ProfileSpanIndexer implementations.
      s.execute("CREATE TABLE profile_spans(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
          + " span_id INTEGER NOT NULL, local_root_span_id INTEGER NOT NULL, PRIMARY KEY(profile_id, span_id, local_root_span_id)) WITHOUT ROWID");
      s.execute("CREATE INDEX profile_spans_span ON profile_spans(span_id)");
      s.execute("CREATE INDEX profile_spans_root ON profile_spans(local_root_span_id)");
      s.execute("PRAGMA user_version=" + SCHEMA);
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Stores the spans of one request, all or none; returns once they are durable. */
  void addSpans(List<Span> spans, long receivedMillis) throws SQLException {
    // Serialized and checksummed before taking the single writer, so concurrent requests do this work in parallel.
    String[] jsons = new String[spans.size()];
    long[] crcs = new long[spans.size()];
    for (int i = 0; i < jsons.length; i++) {
      jsons[i] = spans.get(i).toJson();
      crcs[i] = crc(jsons[i].getBytes(StandardCharsets.UTF_8));
    }
    write(c -> {
      if (insertSpan == null) insertSpan = c.prepareStatement("INSERT INTO spans(received, trace_id, trace_id_high, span_id, parent_id,"
          + " service, function, name, start, duration, cold_start, request_id, json, crc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      PreparedStatement ps = insertSpan;
      ps.clearBatch(); // a failed request may have left its rows queued
      for (int i = 0; i < jsons.length; i++) {
        Span s = spans.get(i);
        ps.setLong(1, receivedMillis);
        ps.setLong(2, s.traceId);
        ps.setLong(3, s.traceIdHigh);
        ps.setLong(4, s.spanId);
        ps.setLong(5, s.parentId);
        ps.setString(6, s.service);
        ps.setString(7, s.meta.get("functionname"));
        ps.setString(8, s.name);
        ps.setLong(9, s.start);
        ps.setLong(10, s.duration);
        String cold = s.meta.get("cold_start");
        if (cold == null) ps.setNull(11, java.sql.Types.INTEGER); else ps.setInt(11, "true".equalsIgnoreCase(cold) ? 1 : 0);
        ps.setString(12, s.meta.get("request_id"));
        ps.setString(13, jsons[i]);
        ps.setLong(14, crcs[i]);
        ps.addBatch();
      }
      ps.executeBatch();
      return null;
    });
  }

  /** Stores a profile with its attachments, tags and span links, all or none; returns its id once durable. */
  long addProfile(ProfileUpload p, List<ProfileSpanIndexer.SpanRef> spans, long receivedMillis) throws SQLException {
    return write(c -> {
      long id;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO profiles(received, start_ns, end_ns, service, function, family, event, crc)"
          + " VALUES (?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setLong(1, receivedMillis);
        ps.setLong(2, p.startNanos);
        ps.setLong(3, p.endNanos);
        ps.setString(4, p.tag("service"));
        ps.setString(5, p.tag("functionname"));
        ps.setString(6, p.family);
        ps.setString(7, p.eventJson);
        ps.setLong(8, crc(p.eventJson.getBytes(StandardCharsets.UTF_8)));
        ps.executeUpdate();
        try (ResultSet rs = ps.getGeneratedKeys()) { rs.next(); id = rs.getLong(1); }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO profile_tags(profile_id, key, value) VALUES (?,?,?)")) {
        for (Map.Entry<String, String> t : p.tags) {
          ps.setLong(1, id);
          ps.setString(2, t.getKey());
          ps.setString(3, t.getValue());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO attachments(profile_id, name, format, compression, size, crc, data) VALUES (?,?,?,?,?,?,?)")) {
        for (Attachment a : p.attachments) {
          ps.setLong(1, id);
          ps.setString(2, a.name);
          ps.setString(3, a.format);
          ps.setString(4, a.compression);
          ps.setLong(5, a.data.length);
          ps.setLong(6, crc(a.data));
          ps.setBytes(7, a.data);
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO profile_spans(profile_id, span_id, local_root_span_id) VALUES (?,?,?)")) {
        for (ProfileSpanIndexer.SpanRef s : spans) {
          ps.setLong(1, id);
          ps.setLong(2, s.spanId);
          ps.setLong(3, s.localRootSpanId);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return id;
    });
  }

  /** One request's inserts, run inside the writer's transaction. */
  private interface Insert<T> {
    T run(Connection writer) throws SQLException;
  }

  /** An insert waiting for the commit that covers it. */
  private static final class Pending<T> {
    final Insert<T> insert;
    boolean done;
    T result;
    SQLException failure;

    Pending(Insert<T> insert) { this.insert = insert; }
  }

  /**
   * Group commit: requests that arrive while a commit (and its fsync) is in progress queue up; the next thread to
   * take the writer runs all of them in one transaction, each inside its own savepoint (a failing request is rolled
   * back alone), and commits once. Every caller returns only after the COMMIT that contains its records, so an
   * acknowledgement still means fsynced; a failed COMMIT fails every request in it.
   */
  private <T> T write(Insert<T> insert) throws SQLException {
    Pending<T> mine = new Pending<>(insert);
    synchronized (pending) { pending.add(mine); }
    synchronized (writer) {
      if (!mine.done) commitPending();
    }
    if (mine.failure != null) throw mine.failure;
    return mine.result;
  }

  /** Runs every queued insert in one transaction. Called holding the writer's lock. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void commitPending() {
    List<Pending> batch;
    synchronized (pending) {
      batch = new ArrayList<>(pending);
      pending.clear();
    }
    List<Pending> inserted = new ArrayList<>(batch.size());
    try {
      writer.setAutoCommit(false);
      try (Statement s = writer.createStatement()) {
        for (Pending p : batch) {
          s.execute("SAVEPOINT request");
          try {
            p.result = p.insert.run(writer);
            s.execute("RELEASE request");
            inserted.add(p);
          } catch (SQLException | RuntimeException e) {
            s.execute("ROLLBACK TO request");
            s.execute("RELEASE request");
            p.failure = e instanceof SQLException ? (SQLException) e : new SQLException(e);
          }
        }
      }
      writer.commit();
    } catch (SQLException e) {
      for (Pending p : inserted) {
        p.result = null;
        p.failure = e;
      }
      try {
        writer.rollback();
      } catch (SQLException ignored) {
        // the transaction is gone either way; the requests are answered with the first failure
      }
    } finally {
      try {
        writer.setAutoCommit(true);
      } catch (SQLException e) {
        for (Pending p : batch) if (p.failure == null) { p.result = null; p.failure = e; }
      }
      for (Pending p : batch) p.done = true;
    }
  }

  /** Runs a read query on the reading connection; the callback must consume the result set before returning. */
  <T> T read(String sql, List<Object> args, RowReader<T> rows) throws SQLException {
    synchronized (reader) {
      try (PreparedStatement ps = reader.prepareStatement(sql)) {
        for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
        try (ResultSet rs = ps.executeQuery()) { return rows.read(rs); }
      }
    }
  }

  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  long count(String table) throws SQLException {
    return read("SELECT count(*) FROM " + table, List.of(), rs -> rs.getLong(1));
  }

  /** Bytes in use by live pages (the file can be larger: freed pages are reused, and returned by {@link #compact}). */
  long usedBytes() throws SQLException {
    synchronized (writer) {
      try (Statement s = writer.createStatement()) {
        long pages = pragma(s, "page_count"), free = pragma(s, "freelist_count"), size = pragma(s, "page_size");
        return (pages - free) * size;
      }
    }
  }

  /** Deletes records received before the cutoff; returns how many. */
  long deleteReceivedBefore(long cutoffMillis) throws SQLException {
    synchronized (writer) {
      try (PreparedStatement a = writer.prepareStatement("DELETE FROM spans WHERE received < ?");
           PreparedStatement b = writer.prepareStatement("DELETE FROM profiles WHERE received < ?")) {
        a.setLong(1, cutoffMillis);
        b.setLong(1, cutoffMillis);
        return a.executeUpdate() + b.executeUpdate();
      }
    }
  }

  /** Deletes one batch of the oldest records (spans or profiles, whichever arrived first); false when empty. */
  boolean deleteOldestBatch() throws SQLException {
    synchronized (writer) {
      try (Statement s = writer.createStatement()) {
        Long span = min(s, "SELECT min(received) FROM spans"), profile = min(s, "SELECT min(received) FROM profiles");
        if (span == null && profile == null) return false;
        if (profile == null || (span != null && span <= profile)) {
          s.executeUpdate("DELETE FROM spans WHERE id IN (SELECT id FROM spans ORDER BY received, id LIMIT 2000)");
        } else {
          s.executeUpdate("DELETE FROM profiles WHERE id IN (SELECT id FROM profiles ORDER BY received, id LIMIT 20)");
        }
        return true;
      }
    }
  }

  /** Rewrites the database without free pages and empties the write-ahead log. */
  void compact() throws SQLException {
    synchronized (writer) {
      try (Statement s = writer.createStatement()) {
        s.execute("VACUUM");
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
  }

  /** Checks SQLite's structure and every record's CRC32C; returns the problems found (empty when sound). */
  List<String> check() throws SQLException {
    List<String> problems = new ArrayList<>();
    read("PRAGMA integrity_check", List.of(), rs -> {
      while (rs.next()) if (!"ok".equals(rs.getString(1))) problems.add("sqlite: " + rs.getString(1));
      return null;
    });
    read("PRAGMA foreign_key_check", List.of(), rs -> {
      while (rs.next()) problems.add("dangling row in " + rs.getString(1) + " (rowid " + rs.getLong(2) + ")");
      return null;
    });
    read("SELECT id, json, crc FROM spans", List.of(), rs -> {
      while (rs.next()) if (crc(rs.getString(2).getBytes(StandardCharsets.UTF_8)) != rs.getLong(3)) problems.add("span row " + rs.getLong(1) + ": checksum mismatch");
      return null;
    });
    read("SELECT id, event, crc FROM profiles", List.of(), rs -> {
      while (rs.next()) if (crc(rs.getString(2).getBytes(StandardCharsets.UTF_8)) != rs.getLong(3)) problems.add("profile " + rs.getLong(1) + ": event checksum mismatch");
      return null;
    });
    read("SELECT profile_id, name, size, crc, data FROM attachments", List.of(), rs -> {
      while (rs.next()) {
        byte[] d = rs.getBytes(5);
        if (d == null || d.length != rs.getLong(3) || crc(d) != rs.getLong(4)) problems.add("profile " + rs.getLong(1) + " attachment " + rs.getString(2) + ": size or checksum mismatch");
      }
      return null;
    });
    return problems;
  }

  static long crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b, 0, b.length);
    return c.getValue();
  }

  private static long pragma(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA " + name)) { return rs.getLong(1); }
  }

  private static Long min(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      long v = rs.getLong(1);
      return rs.wasNull() ? null : v;
    }
  }

  @Override public void close() throws SQLException {
    synchronized (reader) { reader.close(); }
    synchronized (writer) {
      if (insertSpan != null) insertSpan.close();
      writer.close();
    }
  }
}
