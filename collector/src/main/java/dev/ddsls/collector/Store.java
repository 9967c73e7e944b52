package dev.ddsls.collector;

import dev.ddsls.analysis.trace.Span;
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
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The collector's durable store: one SQLite database in WAL mode with synchronous=FULL, so a committed
 * transaction has been fsynced to the write-ahead log before the collector answers 2xx, and a crash at any
 * point leaves the last committed state (SQLite replays or ignores the log on the next open). Each request is
 * one transaction: all its records or none. Every record also carries a CRC32C of its bytes, which
 * {@link #check} verifies on top of SQLite's own structural check. One connection writes (SQLite has a single
 * writer anyway); another reads, never blocked by the writer in WAL mode.
 */
public final class Store implements AutoCloseable {
  static final String FILE = "collect.db";
  private static final int SCHEMA = 2;
  private static final long WAL_RESTART_BYTES = 128L << 20;
  private static final int BUSY_TIMEOUT_MS = 10_000;
  static final List<String> SPAN_TABLES = List.of(
      "CREATE TABLE span_chunks(id INTEGER PRIMARY KEY, received INTEGER NOT NULL, min_start INTEGER NOT NULL,"
          + " max_start INTEGER NOT NULL, spans INTEGER NOT NULL, data BLOB NOT NULL, crc INTEGER NOT NULL)",
      "CREATE INDEX span_chunks_start ON span_chunks(min_start)",
      "CREATE TABLE chunk_keys(key INTEGER NOT NULL, chunk_id INTEGER NOT NULL, PRIMARY KEY(key, chunk_id)) WITHOUT ROWID");
  /** All of a chunk's key hashes in one statement (one JNI call instead of one per row), bound as a JSON array. */
  static final String INSERT_KEYS = "INSERT OR IGNORE INTO chunk_keys(key, chunk_id) SELECT value, ? FROM json_each(?)";
  static final String PROFILE_SPANS = "CREATE TABLE profile_spans(profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
      + " span_id INTEGER NOT NULL, PRIMARY KEY(profile_id, span_id)) WITHOUT ROWID";

  private final Path file;
  private final Connection writer;
  private final Connection reader;
  /** Inserts waiting for the next group commit; guarded by itself. */
  private final List<Pending<?>> pending = new ArrayList<>();
  /** Reused across requests: preparing costs more than binding. Guarded by the writer's lock. */
  private volatile boolean closed;
  /** Transactions committed so far; the checkpointer runs only when this moved. */
  private final AtomicLong commits = new AtomicLong();
  private Thread checkpointer;
  private PreparedStatement insertChunk;
  private PreparedStatement insertKey;
  private PreparedStatement lastRowid;

  private Store(Path file, Connection writer, Connection reader) {
    this.file = file;
    this.writer = writer;
    this.reader = reader;
  }

  public Path file() { return file; }

  public static boolean exists(Path dir) { return Files.isRegularFile(dir.resolve(FILE)); }

  static final String INSERT_CHUNK = "INSERT INTO span_chunks(received, min_start, max_start, spans, data, crc) VALUES (?,?,?,?,?,?)";

  /** Binds and runs {@link #INSERT_CHUNK} for one chunk. */
  static void insertChunk(PreparedStatement insert, long received, SpanChunk.Encoded e, long crc) throws SQLException {
    insert.setLong(1, received);
    insert.setLong(2, e.minStart);
    insert.setLong(3, e.maxStart);
    insert.setInt(4, e.count);
    insert.setBytes(5, e.data);
    insert.setLong(6, crc);
    insert.executeUpdate();
  }

  public static Store open(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    Class.forName("org.sqlite.JDBC");
    Connection w = connect(file);
    try (Statement s = w.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      // Keeps the log from staying large after a burst; checkpoints still happen every 1000 pages.
      s.execute("PRAGMA journal_size_limit=268435456");
      // Index pages of a large store stay in memory instead of being re-read for every insert (native memory).
      s.execute("PRAGMA cache_size=-32768");
      int version;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) { version = rs.getInt(1); }
      if (version > SCHEMA) throw new IllegalStateException("store schema " + version + " is newer than this ddsls (" + SCHEMA + ")");
      if (version == 1) SchemaMigration.fromV1(w);
      else if (version < SCHEMA) createSchema(w);
      // Checkpoints run on their own connection and thread (startCheckpoints), not inside an acknowledged COMMIT.
      s.execute("PRAGMA wal_autocheckpoint=0");
    }
    return new Store(file, w, connect(file));
  }

  private static Connection connect(Path file) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA synchronous=FULL");
      s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
      s.execute("PRAGMA foreign_keys=ON");
    }
    return c;
  }

  static void createSchema(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      // Spans: one row per chunk of up to 1024 spans of one request (SpanChunk), found through chunk_keys, which
      // holds one row per distinct service, function, request id, cold-start flag and trace id in each chunk.
      // Rowid order is arrival order: retention deletes from the lowest id.
      for (String sql : SPAN_TABLES) s.execute(sql);
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
      // Every span id and local root span id that a profile's samples name (ProfileSpanIndexer), clustered by
      // profile: inserts append, where a b-tree keyed by span id took a random leaf page per id (docs/collector.md).
      s.execute(PROFILE_SPANS);
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
    // Encoded, compressed and checksummed before taking the single writer, so concurrent requests do this in parallel.
    List<SpanChunk.Encoded> chunks = new ArrayList<>();
    for (int i = 0; i < spans.size(); i += SpanChunk.MAX_SPANS) {
      chunks.add(SpanChunk.encode(spans.subList(i, Math.min(spans.size(), i + SpanChunk.MAX_SPANS))));
    }
    long[] crcs = new long[chunks.size()];
    for (int i = 0; i < crcs.length; i++) crcs[i] = crc(chunks.get(i).data);
    write(c -> {
      if (insertChunk == null) {
        insertChunk = c.prepareStatement(INSERT_CHUNK);
        insertKey = c.prepareStatement(INSERT_KEYS);
        lastRowid = c.prepareStatement("SELECT last_insert_rowid()");
      }
      for (int i = 0; i < chunks.size(); i++) {
        SpanChunk.Encoded e = chunks.get(i);
        insertChunk(insertChunk, receivedMillis, e, crcs[i]);
        long id;
        try (ResultSet rs = lastRowid.executeQuery()) { rs.next(); id = rs.getLong(1); }
        insertKeys(insertKey, id, e.keys);
      }
      return null;
    });
  }

  static void insertKeys(PreparedStatement insert, long chunkId, long[] keys) throws SQLException {
    StringBuilder json = new StringBuilder(keys.length * 21 + 2).append('[');
    for (int i = 0; i < keys.length; i++) json.append(i == 0 ? "" : ",").append(keys[i]);
    insert.setLong(1, chunkId);
    insert.setString(2, json.append(']').toString());
    insert.executeUpdate();
  }

  /** Stores a profile with its attachments, tags and span links, all or none; returns its id once durable. */
  long addProfile(ProfileUpload p, List<ProfileSpanIndexer.SpanRef> spans, long receivedMillis) throws SQLException {
    Set<Long> idSet = new LinkedHashSet<>();
    for (ProfileSpanIndexer.SpanRef r : spans) {
      idSet.add(r.spanId);
      if (r.localRootSpanId != 0) idSet.add(r.localRootSpanId);
    }
    long[] ids = new long[idSet.size()];
    int k = 0;
    for (long v : idSet) ids[k++] = v;
    Arrays.sort(ids);
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
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO profile_spans(profile_id, span_id) VALUES (?,?)")) {
        for (long span : ids) {
          ps.setLong(1, id);
          ps.setLong(2, span);
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
      commits.incrementAndGet();
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

  public long count(String table) throws SQLException {
    if (table.equals("spans")) return read("SELECT coalesce(sum(spans), 0) FROM span_chunks", List.of(), rs -> rs.getLong(1));
    return read("SELECT count(*) FROM " + table, List.of(), rs -> rs.getLong(1));
  }

  /**
   * Copies the write-ahead log into the database every {@code periodMillis} on a connection of its own, so that no
   * acknowledged request waits for a checkpoint (SQLite would otherwise run one inside the COMMIT that crosses 1000
   * pages). PASSIVE: it never blocks the writer or readers; what it cannot copy now, it copies next time.
   */
  void startCheckpoints(long periodMillis) throws SQLException {
    Connection c = connect(file);
    long pageSize;
    try (Statement s = c.createStatement()) { pageSize = pragma(s, "page_size"); }
    Thread t = new Thread(() -> {
      long checkpointed = -1;
      boolean logPending = false;
      try (Statement s = c.createStatement()) {
        while (!closed) {
          Thread.sleep(periodMillis);
          long seen = commits.get();
          if (seen == checkpointed) {
            // Ingest went quiet: fold the whole log into the database and empty it, so that readers (diagnose)
            // read the database file alone. Readers mid-query make it give up after a short wait; next quiet period.
            if (logPending && truncate(s)) logPending = false;
            continue;
          }
          checkpointed = seen;
          logPending = true;
          long logFrames;
          try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) { logFrames = rs.getLong(2); }
          // Under sustained writes a PASSIVE checkpoint never reaches the log's end, so the log is never restarted
          // and grows without bound. Once it is large, one more pass holding the writer's lock copies the frames
          // written since the first pass (few) and reaches the end; the next transaction then starts the log over.
          // Writers wait on a Java monitor meanwhile, not in SQLite's busy handler (sleeps of up to 100 ms), as they
          // would for a RESTART checkpoint.
          if (logFrames * pageSize > WAL_RESTART_BYTES) {
            synchronized (writer) { s.execute("PRAGMA wal_checkpoint(PASSIVE)"); }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (SQLException e) {
        if (!closed) System.err.println("ddsls collect: checkpoints stopped: " + e);
      } finally {
        try {
          c.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
    }, "ddsls-collect-checkpoint");
    t.setDaemon(true);
    t.start();
    checkpointer = t;
  }

  /** A TRUNCATE checkpoint while no writer of this process can start; true when the log was emptied. */
  private boolean truncate(Statement s) throws SQLException {
    synchronized (writer) {
      s.execute("PRAGMA busy_timeout=100");
      try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        return rs.getInt(1) == 0;
      } finally {
        s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
      }
    }
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

  /** Deletes records received before the cutoff, oldest first; returns how many (spans count one by one). */
  long deleteReceivedBefore(long cutoffMillis) throws SQLException {
    long removed = 0;
    for (long n; (n = inTransaction(c -> deleteOldestChunks(c, 16, cutoffMillis))) > 0; ) removed += n;
    for (long n; (n = inTransaction(c -> deleteOldestProfiles(c, 20, cutoffMillis))) > 0; ) removed += n;
    return removed;
  }

  /** Deletes one batch of the oldest records (spans or profiles, whichever arrived first); false when empty. */
  boolean deleteOldestBatch() throws SQLException {
    return inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        Long span = min(s, "SELECT (SELECT received FROM span_chunks ORDER BY id LIMIT 1)");
        Long profile = min(s, "SELECT min(received) FROM profiles");
        if (span == null && profile == null) return false;
        if (profile == null || (span != null && span <= profile)) deleteOldestChunks(c, 2, Long.MAX_VALUE);
        else deleteOldestProfiles(c, 4, Long.MAX_VALUE); // profiles are large: small steps
        return true;
      }
    });
  }

  /** Up to {@code max} of the first-arrived chunks received before the cutoff, with their index keys; returns spans removed. */
  private static long deleteOldestChunks(Connection c, int max, long cutoffMillis) throws SQLException {
    List<Long> ids = new ArrayList<>();
    long spans = 0;
    try (PreparedStatement ps = c.prepareStatement("SELECT id, received, spans, data FROM span_chunks ORDER BY id LIMIT ?");
         PreparedStatement key = c.prepareStatement("DELETE FROM chunk_keys WHERE key = ? AND chunk_id = ?")) {
      ps.setInt(1, max);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && rs.getLong(2) < cutoffMillis) {
          long id = rs.getLong(1);
          ids.add(id);
          spans += rs.getLong(3);
          for (long k : SpanChunk.decode(rs.getBytes(4)).keys()) {
            key.setLong(1, k);
            key.setLong(2, id);
            key.addBatch();
          }
        }
      }
      key.executeBatch();
    }
    try (PreparedStatement del = c.prepareStatement("DELETE FROM span_chunks WHERE id = ?")) {
      for (long id : ids) {
        del.setLong(1, id);
        del.addBatch();
      }
      del.executeBatch();
    }
    return spans;
  }

  /** Up to {@code max} of the oldest profiles received before the cutoff (tags, attachments and span ids cascade). */
  private static long deleteOldestProfiles(Connection c, int max, long cutoffMillis) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM profiles WHERE id IN (SELECT id FROM profiles WHERE received < ? ORDER BY received, id LIMIT ?)")) {
      del.setLong(1, cutoffMillis);
      del.setInt(2, max);
      return del.executeUpdate();
    }
  }

  /** Runs maintenance work as one transaction on the writer (between group commits). */
  private <T> T inTransaction(Insert<T> work) throws SQLException {
    synchronized (writer) {
      writer.setAutoCommit(false);
      try {
        T result = work.run(writer);
        writer.commit();
        commits.incrementAndGet();
        return result;
      } catch (SQLException | RuntimeException e) {
        writer.rollback();
        throw e;
      } finally {
        writer.setAutoCommit(true);
      }
    }
  }

  /** Rewrites the database without free pages and empties the write-ahead log. */
  public void compact() throws SQLException {
    synchronized (writer) {
      try (Statement s = writer.createStatement()) {
        s.execute("VACUUM");
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
  }

  /** Checks SQLite's structure and every record's CRC32C; returns the problems found (empty when sound). */
  public List<String> check() throws SQLException {
    List<String> problems = new ArrayList<>();
    read("PRAGMA integrity_check", List.of(), rs -> {
      while (rs.next()) if (!"ok".equals(rs.getString(1))) problems.add("sqlite: " + rs.getString(1));
      return null;
    });
    read("PRAGMA foreign_key_check", List.of(), rs -> {
      while (rs.next()) problems.add("dangling row in " + rs.getString(1) + " (rowid " + rs.getLong(2) + ")");
      return null;
    });
    read("SELECT id, spans, data, crc FROM span_chunks", List.of(), rs -> {
      while (rs.next()) {
        byte[] d = rs.getBytes(3);
        if (crc(d) != rs.getLong(4)) {
          problems.add("span chunk " + rs.getLong(1) + ": checksum mismatch");
          continue;
        }
        try {
          if (SpanChunk.decode(d).count != rs.getLong(2)) problems.add("span chunk " + rs.getLong(1) + ": span count mismatch");
        } catch (RuntimeException e) {
          problems.add("span chunk " + rs.getLong(1) + ": " + e.getMessage());
        }
      }
      return null;
    });
    read("SELECT count(*) FROM chunk_keys k WHERE NOT EXISTS (SELECT 1 FROM span_chunks c WHERE c.id = k.chunk_id)", List.of(), rs -> {
      if (rs.getLong(1) > 0) problems.add(rs.getLong(1) + " chunk_keys rows point to no span chunk");
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
    closed = true;
    if (checkpointer != null) {
      checkpointer.interrupt();
      try {
        checkpointer.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (reader) { reader.close(); }
    synchronized (writer) {
      if (insertChunk != null) {
        insertChunk.close();
        insertKey.close();
        lastRowid.close();
      }
      writer.close();
    }
  }
}
