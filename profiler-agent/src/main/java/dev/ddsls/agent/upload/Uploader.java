package dev.ddsls.agent.upload;

import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.AgentLog;
import dev.ddsls.agent.http.AgentHttp;
import dev.ddsls.agent.trace.Span;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers profiles and spans. {@code submit*} queue (bounded: the oldest is dropped and counted) and write the
 * output directory; {@link #flush} sends what is pending until a deadline. A failed upload is retried once, on a
 * later flush, then dropped; a 4xx other than 408/429 is dropped at once (the same body would be refused again).
 * Nothing here throws: failures are counted and logged once per kind and endpoint.
 */
public final class Uploader {
  /** Bodies must stay below this: the Datadog Lambda extension answers 413 to 2 MiB and more. */
  public static final int MAX_PROFILE_BODY = 2 * 1024 * 1024;
  static final int MAX_PENDING_BATCHES = 8;
  static final int MAX_PENDING_SPANS = 10_000;
  /**
   * Attempts a body gets when the intake answers it with a failure status. A request that got no answer (refused,
   * reset, timed out) says nothing about its body and costs it no attempt: what is held then waits, bounded by the
   * queues, for the intake to come back, instead of being dropped by the circuit breaker's probes.
   */
  private static final int MAX_ATTEMPTS = 2;
  /**
   * Spans in one trace request at most (whole queued batches, so one batch may exceed it): a failed request charges
   * only what it carried, and a long-held queue goes out in requests of bounded size.
   */
  static final int SPANS_PER_REQUEST = 1_000;

  /** One attachment of a profile batch: its file name, e.g. {@code cpu.pprof}, and its gzipped pprof. */
  public record Attachment(String name, byte[] gzipped) {}

  /** Why a request failed: whether it is worth another attempt, and whether the intake is out of reach. */
  enum Failure {
    /** Refused, no route, unknown host. */
    CONNECT,
    /** No answer by the flush deadline. */
    TIMEOUT,
    /** Any other I/O error. */
    IO,
    /** A status the intake may answer differently later: 5xx, 408, 429 (any status but the other 4xx). */
    STATUS,
    /** A 4xx other than 408 and 429: the same body would be refused again. */
    REFUSED;

    static Failure ofStatus(int status) {
      return status >= 400 && status < 500 && status != 408 && status != 429 ? REFUSED : STATUS;
    }

    /** The intake's trouble, not this body's: retried on a later flush, and the flush counts as failed. */
    boolean retryable() { return this != REFUSED; }

    /** No answer at all: nothing more of that kind is sent during this flush. */
    boolean unreachable() { return this == CONNECT || this == TIMEOUT || this == IO; }

    /** The key in {@link UploadCounters#failures}: {@code connect}, {@code timeout}, {@code io}, {@code http-<status>}. */
    String label(int status) {
      return this == CONNECT ? "connect" : this == TIMEOUT ? "timeout" : this == IO ? "io" : "http-" + status;
    }
  }

  private static final class SpanBatch {
    List<Span> spans;
    int attempts;

    SpanBatch(List<Span> spans) { this.spans = spans; }
  }

  private final AgentConfig config;
  private final String profileUrl;
  private final String traceUrl;
  private final boolean agentless;
  private final int maxBody;
  private final int maxBatches;
  private final int maxSpans;
  private final OutputFiles output;
  private final ReentrantLock flushLock = new ReentrantLock();
  /** Set by a failed request of the flush under way (only the thread holding flushLock writes it). */
  private boolean failedThisFlush;

  // Guarded by this.
  /** Batches: the uploads of one {@link #submitProfile} call each; the queue bound counts batches. */
  private final ArrayDeque<ArrayList<ProfileUpload>> profiles = new ArrayDeque<>();
  private final ArrayDeque<SpanBatch> spans = new ArrayDeque<>();
  private int pendingSpans;
  private long profilesSent;
  private long profilesFailed;
  private long profilesDropped;
  private long attachmentsDropped;
  private long spansSent;
  private long spansFailed;
  private long spansDropped;
  private final Map<String, Long> failures = new LinkedHashMap<>();

  /** Profiles to the agent (or agentless intake with DD_API_KEY), spans to {@code <agentUrl>/v0.4/traces}. */
  public Uploader(AgentConfig config) {
    this(config, config.agentless() ? config.agentlessProfileUrl() : config.agentUrl() + "/profiling/v1/input",
        config.agentUrl() + "/v0.4/traces", MAX_PROFILE_BODY, MAX_PENDING_BATCHES, MAX_PENDING_SPANS);
  }

  /** Explicit endpoints and bounds (tests point the agentless upload at loopback with this). */
  Uploader(AgentConfig config, String profileUrl, String traceUrl, int maxBody, int maxBatches, int maxSpans) {
    this.config = config;
    this.profileUrl = profileUrl;
    this.traceUrl = traceUrl;
    this.agentless = config.agentless();
    this.maxBody = maxBody;
    this.maxBatches = maxBatches;
    this.maxSpans = maxSpans;
    this.output = config.outputDir() == null ? null : new OutputFiles(config.outputDir());
  }

  /**
   * Queues one profile batch and writes it to the output directory. Attachments are split over several uploads
   * when together they would make a body of 2 MiB or more; one that is too large alone is dropped and counted.
   *
   * @param startNanos start of the profiled period, nanoseconds since the epoch (likewise {@code endNanos})
   * @param attachments names of letters, digits, '.', '_', '-'; the bytes are not copied, so not to be changed afterwards
   * @param extraTags added to tags_profiler, e.g. {@code profiler_engine:async}; may be null
   * @param info ddsls' own data for the event's {@code info.ddsls}; may be null
   * @param endpointCounts hits per endpoint for {@code endpoint_counts}; may be null
   * @return whether at least one upload was queued
   */
  public boolean submitProfile(long startNanos, long endNanos, List<Attachment> attachments,
      Map<String, String> extraTags, Map<String, String> info, Map<String, Long> endpointCounts) {
    try {
      if (attachments == null || attachments.isEmpty()) {
        AgentLog.once("upload:profile-args", "profile batch ignored: no attachment");
        return false;
      }
      for (int i = 0; i < attachments.size(); i++) {
        Attachment a = attachments.get(i);
        if (a == null || !validName(a.name()) || a.gzipped() == null) {
          AgentLog.once("upload:profile-name", "profile batch ignored: bad attachment name or missing bytes: " + (a == null ? null : a.name()));
          return false;
        }
      }
      String tags = ProfilerTags.of(config, extraTags);
      if (output != null) {
        String seq = OutputFiles.seq(output.nextProfileSeq());
        for (int i = 0; i < attachments.size(); i++) {
          output.write("profile-" + seq + "-" + baseName(attachments.get(i).name()) + ".pb.gz", attachments.get(i).gzipped());
        }
        output.write("event-" + seq + ".json",
            ProfileUpload.eventJson(startNanos, endNanos, attachments, config.profileFamily(), tags, endpointCounts, info).getBytes(StandardCharsets.UTF_8));
      }
      ArrayList<ProfileUpload> batch = split(startNanos, endNanos, attachments, tags, info, endpointCounts);
      if (batch.isEmpty()) return false;
      synchronized (this) {
        profiles.addLast(batch);
        trimProfiles();
      }
      return true;
    } catch (Throwable t) {
      AgentLog.once("upload:profile-submit", "profile batch ignored: " + AgentLog.describe(t));
      return false;
    }
  }

  /**
   * Writes the first invocation's class list to the output directory ({@code first-invocation-classes-<seq>.tsv}); it
   * is not uploaded. Returns whether it was written.
   */
  public boolean writeClassList(String text) {
    try {
      if (output == null) return false;
      return output.write(OutputFiles.CLASSES_PREFIX + OutputFiles.seq(output.nextClassesSeq()) + ".tsv", text.getBytes(StandardCharsets.UTF_8));
    } catch (Throwable t) {
      AgentLog.once("upload:classes", "class list not written: " + AgentLog.describe(t));
      return false;
    }
  }

  /** Queues spans for {@code /v0.4/traces} and writes them to the output directory (spans-*.jsonl). */
  public boolean submitSpans(List<Span> batch) {
    try {
      if (batch == null || batch.isEmpty()) return false;
      List<Span> copy = new ArrayList<>(batch);
      if (output != null) {
        output.write("spans-" + OutputFiles.seq(output.nextSpansSeq()) + ".jsonl", SpanJson.lines(copy));
      }
      synchronized (this) {
        spans.addLast(new SpanBatch(copy));
        pendingSpans += copy.size();
        trimSpans();
      }
      return true;
    } catch (Throwable t) {
      AgentLog.once("upload:spans-submit", "span batch ignored: " + AgentLog.describe(t));
      return false;
    }
  }

  /**
   * Sends what is pending, spans first, until {@code deadlineNanos} (a {@link System#nanoTime()} value); what is
   * left stays queued. A network failure (refused, timeout) ends that kind's sending for this flush.
   *
   * @return false when the intake failed a request (refused, no answer in time, 5xx, 408 or 429); a 4xx that
   *     refuses one body says nothing about the intake
   */
  public boolean flush(long deadlineNanos) {
    try {
      long wait = deadlineNanos - System.nanoTime();
      if (wait <= 0 || !flushLock.tryLock(wait, TimeUnit.NANOSECONDS)) return true;
      try {
        failedThisFlush = false;
        flushSpans(deadlineNanos);
        flushProfiles(deadlineNanos);
        return !failedThisFlush;
      } finally {
        flushLock.unlock();
      }
    } catch (Throwable t) {
      AgentLog.once("upload:flush", "flush failed: " + AgentLog.describe(t));
      return false;
    }
  }

  /**
   * Drops everything waiting to be sent, counted as dropped (SnapStart: what was not sent before the snapshot must
   * not be sent by every restored copy). Returns {profile uploads, spans} dropped.
   */
  public synchronized long[] discardPending() {
    long uploads = 0;
    for (ArrayList<ProfileUpload> b : profiles) uploads += b.size();
    long spanCount = pendingSpans;
    profiles.clear();
    spans.clear();
    pendingSpans = 0;
    profilesDropped += uploads;
    spansDropped += spanCount;
    return new long[] {uploads, spanCount};
  }

  /** Whether anything is waiting to be sent. */
  public synchronized boolean hasPending() { return pendingSpans > 0 || !profiles.isEmpty(); }

  /**
   * One line of what became of everything submitted, for the log at shutdown: each span and profile upload ends as
   * sent (2xx), dropped (given up, counted) or unsent (still queued); null when all was sent at the first attempt.
   */
  public synchronized String degradedSummary() {
    long unsentProfiles = 0;
    for (ArrayList<ProfileUpload> b : profiles) unsentProfiles += b.size();
    if (failures.isEmpty() && spansDropped == 0 && profilesDropped == 0 && attachmentsDropped == 0 && pendingSpans == 0 && unsentProfiles == 0) {
      return null;
    }
    return "spans sent=" + spansSent + " dropped=" + spansDropped + " unsent=" + pendingSpans + " failedAttempts=" + spansFailed
        + "; profile uploads sent=" + profilesSent + " dropped=" + profilesDropped + " unsent=" + unsentProfiles + " failedAttempts="
        + profilesFailed + (attachmentsDropped == 0 ? "" : " attachmentsDropped=" + attachmentsDropped) + "; failures " + failures;
  }

  public synchronized UploadCounters counters() {
    return new UploadCounters(profilesSent, profilesFailed, profilesDropped, attachmentsDropped, spansSent, spansFailed,
        spansDropped, failures);
  }

  /** Number of profile uploads and spans waiting. */
  synchronized int pendingProfileUploads() {
    int n = 0;
    for (ArrayList<ProfileUpload> b : profiles) n += b.size();
    return n;
  }

  synchronized int pendingSpans() { return pendingSpans; }

  /** Sends the queued spans oldest first, {@link #SPANS_PER_REQUEST} a request, until one fails or time runs out. */
  private void flushSpans(long deadline) {
    while (deadline - System.nanoTime() > 0) {
      List<SpanBatch> taken = new ArrayList<>();
      synchronized (this) {
        int n = 0;
        while (!spans.isEmpty() && (n == 0 || n + spans.peekFirst().spans.size() <= SPANS_PER_REQUEST)) {
          SpanBatch b = spans.removeFirst();
          taken.add(b);
          n += b.spans.size();
          pendingSpans -= b.spans.size();
        }
      }
      if (taken.isEmpty() || !sendSpans(taken, deadline)) return;
    }
  }

  /**
   * One trace request of {@code taken}; false when the intake failed it (what it carried is then back at the head, or
   * dropped after its attempts): the rest waits for a later flush. A body the intake refuses (a 4xx) is dropped and
   * the next one goes on.
   */
  private boolean sendSpans(List<SpanBatch> taken, long deadline) {
    int count = 0;
    Map<Long, List<Span>> byTrace = new LinkedHashMap<>();
    for (int b = 0; b < taken.size(); b++) {
      List<Span> list = taken.get(b).spans;
      count += list.size();
      for (int i = 0; i < list.size(); i++) {
        Span s = list.get(i);
        List<Span> trace = byTrace.get(s.traceId());
        if (trace == null) {
          trace = new ArrayList<>();
          byTrace.put(s.traceId(), trace);
        }
        trace.add(s);
      }
    }
    List<List<Span>> traces = new ArrayList<>(byTrace.values());
    String[] headers = {
        "Content-Type", "application/msgpack",
        "X-Datadog-Trace-Count", Integer.toString(traces.size()),
        "Datadog-Meta-Lang", "java",
        "Datadog-Meta-Lang-Version", AgentIdentity.JAVA_VERSION,
        "Datadog-Meta-Lang-Interpreter", AgentIdentity.VM_NAME,
        "Datadog-Meta-Tracer-Version", AgentIdentity.AGENT_VERSION,
        // Every span the agent makes that starts a service's part of the trace has _dd.top_level set.
        "Datadog-Client-Computed-Top-Level", "yes",
        "Authorization", collectorAuthorization()};
    Failure failure = send("spans", "PUT", traceUrl, headers, TraceEncoder.v04(traces), deadline);
    synchronized (this) {
      if (failure == null) {
        spansSent += count;
        return true;
      }
      boolean goOn = !failure.retryable();
      spansFailed += count;
      // Back at the head, oldest first: the bound then drops these before anything newer.
      for (int b = taken.size() - 1; b >= 0; b--) {
        SpanBatch batch = taken.get(b);
        if (!failure.unreachable()) batch.attempts++; // an answer, not silence, says something of the body
        if (batch.attempts >= MAX_ATTEMPTS || !failure.retryable()) {
          spansDropped += batch.spans.size();
        } else {
          spans.addFirst(batch);
          pendingSpans += batch.spans.size();
        }
      }
      trimSpans();
      return goOn;
    }
  }

  private void flushProfiles(long deadline) {
    List<ArrayList<ProfileUpload>> taken;
    synchronized (this) {
      if (profiles.isEmpty()) return;
      taken = new ArrayList<>(profiles);
      profiles.clear();
    }
    String[] headers = {
        "Content-Type", null,
        "DD-EVP-ORIGIN", "ddsls-agent",
        "DD-EVP-ORIGIN-VERSION", AgentIdentity.AGENT_VERSION,
        "Datadog-Meta-Lang", "java",
        "Datadog-Meta-Lang-Version", AgentIdentity.JAVA_VERSION,
        "DD-API-KEY", agentless ? config.apiKey() : null,
        "Authorization", agentless ? null : collectorAuthorization()};
    boolean networkDown = false;
    for (int b = 0; b < taken.size(); b++) {
      ArrayList<ProfileUpload> items = taken.get(b);
      for (int i = 0; i < items.size() && !networkDown; ) {
        if (deadline - System.nanoTime() <= 0) {
          networkDown = true; // out of time: the rest waits, unattempted, for the next flush
          break;
        }
        ProfileUpload item = items.get(i);
        headers[1] = item.contentType;
        Failure failure = send("profile", "POST", profileUrl, headers, item.body, deadline);
        synchronized (this) {
          if (failure == null) {
            profilesSent++;
            items.remove(i);
            continue;
          }
          profilesFailed++;
          if (!failure.unreachable()) item.attempts++;
          if (item.attempts >= MAX_ATTEMPTS || !failure.retryable()) {
            profilesDropped++;
            items.remove(i);
          } else {
            i++;
          }
        }
        if (failure.unreachable()) networkDown = true;
      }
    }
    synchronized (this) {
      for (int b = taken.size() - 1; b >= 0; b--) {
        if (!taken.get(b).isEmpty()) profiles.addFirst(taken.get(b));
      }
      trimProfiles();
    }
  }

  /** A {@code ddsls collect --token}'s header (AgentConfig#collectorToken), or null (the header left out). */
  private String collectorAuthorization() { return config.collectorToken() == null ? null : "Bearer " + config.collectorToken(); }

  /** Sends one request; null on 2xx, else why it failed (counted, logged once per kind and endpoint). */
  private Failure send(String what, String method, String url, String[] headers, byte[] body, long deadline) {
    Failure kind;
    int status = 0;
    String detail;
    try {
      AgentHttp.Response r = AgentHttp.send(method, url, headers, body, deadline);
      if (r.ok()) return null;
      status = r.status();
      kind = Failure.ofStatus(status);
      detail = "HTTP " + r.status() + (r.status() == 413 ? " (body too large: " + body.length + " bytes)" : "")
          + (r.body().isEmpty() ? "" : ": " + oneLine(r.body()));
    } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
      kind = Failure.CONNECT;
      detail = AgentLog.describe(e);
    } catch (SocketTimeoutException e) {
      kind = Failure.TIMEOUT;
      detail = "no answer by the flush deadline";
    } catch (IOException e) {
      kind = Failure.IO;
      detail = AgentLog.describe(e);
    } catch (Throwable t) {
      kind = Failure.IO;
      detail = AgentLog.describe(t);
    }
    if (kind.retryable()) failedThisFlush = true; // the intake's trouble; other 4xx are this body's
    String label = kind.label(status);
    synchronized (this) {
      String key = what + ":" + label;
      Long n = failures.get(key);
      failures.put(key, n == null ? 1L : n + 1);
    }
    AgentLog.once("upload:" + what + ":" + label + ":" + url,
        what + " upload to " + url + " failed: " + detail
            + (kind.retryable() ? " (counted; retried once on a later flush, then dropped)" : " (counted; dropped)"));
    return kind;
  }

  /** Caller holds the lock. */
  private void trimProfiles() {
    while (profiles.size() > maxBatches) {
      ArrayList<ProfileUpload> oldest = profiles.removeFirst();
      profilesDropped += oldest.size();
      AgentLog.once("upload:profile-queue", "profile queue full (" + maxBatches + " batches): dropping the oldest");
    }
  }

  /** Caller holds the lock. */
  private void trimSpans() {
    while (pendingSpans > maxSpans) {
      SpanBatch oldest = spans.peekFirst();
      int excess = pendingSpans - maxSpans;
      AgentLog.once("upload:spans-queue", "span queue full (" + maxSpans + " spans): dropping the oldest");
      if (oldest.spans.size() <= excess) {
        spans.removeFirst();
        pendingSpans -= oldest.spans.size();
        spansDropped += oldest.spans.size();
      } else {
        oldest.spans = new ArrayList<>(oldest.spans.subList(excess, oldest.spans.size()));
        pendingSpans -= excess;
        spansDropped += excess;
      }
    }
  }

  /** Packs attachments greedily, in order, into uploads whose bodies stay under {@link #maxBody}. */
  private ArrayList<ProfileUpload> split(long start, long end, List<Attachment> attachments, String tags, Map<String, String> info,
      Map<String, Long> endpointCounts) {
    ArrayList<ProfileUpload> batch = new ArrayList<>(2);
    List<Attachment> group = new ArrayList<>();
    ProfileUpload built = null;
    for (int i = 0; i < attachments.size(); i++) {
      Attachment a = attachments.get(i);
      group.add(a);
      ProfileUpload candidate = build(start, end, group, tags, info, batch.isEmpty() ? endpointCounts : null);
      if (candidate.body.length < maxBody) {
        built = candidate;
        continue;
      }
      group.remove(group.size() - 1);
      if (!group.isEmpty()) {
        // Does it fit on its own? Then the open group is closed and it starts the next one.
        List<Attachment> alone = new ArrayList<>(1);
        alone.add(a);
        candidate = build(start, end, alone, tags, info, null);
        if (candidate.body.length < maxBody) {
          batch.add(built);
          group = alone;
          built = candidate;
          continue;
        }
      }
      // Too large alone: left out; the open group stays open for the attachments after it.
      synchronized (this) {
        attachmentsDropped++;
      }
      AgentLog.once("upload:attachment-too-large", "profile attachment " + a.name() + " (" + a.gzipped().length
          + " bytes) alone exceeds the " + maxBody + "-byte upload limit: not uploaded (still written to DDSLS_OUTPUT_DIR when set)");
    }
    if (!group.isEmpty()) batch.add(built);
    return batch;
  }

  private ProfileUpload build(long start, long end, List<Attachment> group, String tags, Map<String, String> info,
      Map<String, Long> endpointCounts) {
    return ProfileUpload.build(ProfileUpload.eventJson(start, end, group, config.profileFamily(), tags, endpointCounts, info), group);
  }

  /** Part names go into quoted multipart headers and file names: keep them plain. */
  private static boolean validName(String s) {
    if (s == null || s.isEmpty() || s.length() > 100 || s.equals("event") || s.startsWith(".")) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    return true;
  }

  /** {@code cpu.pprof} -> {@code cpu}: the output file is named profile-0001-cpu.pb.gz. */
  private static String baseName(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static String oneLine(String s) {
    String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
    return t.replace('\n', ' ').replace('\r', ' ');
  }
}
