package dev.ddsls.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ddsls.analysis.trace.Span;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The Datadog Agent-compatible intake: traces (/v0.3, /v0.4, /v0.5) and profiles (/profiling/v1/input). */
final class IntakeApi {
  private static final JsonFactory JSON = new JsonFactory();

  private final Store store;
  private final Counters counters;
  private final List<ProfileSpanIndexer> indexers;
  /** Heap per byte of JFR content while the JFR reader holds a recording's samples (an estimate with margin). */
  static final long JFR_READ = 8;
  /** Heap per pprof sample in the span indexer's map, at most (entry, two boxed longs, table slot). */
  static final long INDEX_ENTRY = 96;

  IntakeApi(Store store, Counters counters, List<ProfileSpanIndexer> indexers) {
    this.store = store;
    this.counters = counters;
    this.indexers = indexers;
  }

  /** Decodes and stores a trace payload ({@code ex.body}); answers like the Agent, or 400 naming the fault. */
  void traces(Exchange ex, String version) throws Exception {
    byte[] body = ex.body;
    counters.bytes.addAndGet(body.length);
    String type = ex.header("Content-Type");
    boolean json = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    DecodeCost cost = new DecodeCost(ex.share, "decoding the spans");
    List<Span> spans;
    try {
      if (version.equals("v0.5")) {
        if (json) throw new Malformed("v0.5 traces are msgpack only, got Content-Type " + type);
        spans = TraceDecoder.v05Msgpack(body, cost);
      } else {
        spans = json ? TraceDecoder.v04Json(body, cost) : TraceDecoder.v04Msgpack(body, cost);
      }
    } catch (Malformed e) {
      reject(ex, e.getMessage());
      return;
    }
    if (!spans.isEmpty()) store.addSpans(spans, System.currentTimeMillis());
    counters.stored.addAndGet(spans.size());
    HttpIo.json(ex, 200, rateByService(spans));
  }

  void profile(Exchange ex) throws Exception {
    byte[] body = ex.body;
    counters.bytes.addAndGet(body.length);
    ProfileUpload upload;
    List<ProfileSpanIndexer.SpanRef> links;
    try {
      upload = ProfileUpload.parse(ex.header("Content-Type"), body, ex.share);
      links = spanLinks(upload, ex.share);
    } catch (Malformed e) {
      reject(ex, e.getMessage());
      return;
    }
    long id = store.addProfile(upload, links, System.currentTimeMillis());
    counters.stored.incrementAndGet();
    HttpIo.json(ex, 200, "{\"id\":" + id + "}");
  }

  /** Span links of every attachment; an indexer's {@link Malformed} (a recording it cannot read) refuses the upload. */
  private List<ProfileSpanIndexer.SpanRef> spanLinks(ProfileUpload upload, MemoryBudget.Share share) throws Malformed, MemoryBudget.Exceeded {
    List<ProfileSpanIndexer.SpanRef> out = new ArrayList<>();
    for (Attachment a : upload.attachments) {
      // What the indexers build: a map entry per sample at most for a pprof; a JFR is read whole into samples.
      share.take(a.format.equals("jfr") ? JFR_READ * a.content.length : INDEX_ENTRY * a.samples, "indexing " + a.name);
    }
    for (ProfileSpanIndexer indexer : indexers) {
      for (Attachment a : upload.attachments) {
        try {
          // The content the check already inflated, so that an upload is inflated once.
          out.addAll(indexer.spans(a.format, "none", a.content));
        } catch (Malformed e) {
          throw new Malformed("attachment " + a.name + ": " + e.getMessage());
        } catch (Exception e) {
          // The profile is still worth keeping: it stays findable by time, service and tags.
          counters.malformed("/profiling/v1/input", "span indexing of " + a.name + " failed (" + indexer.getClass().getName() + "): " + e);
        }
      }
    }
    return out;
  }

  private void reject(Exchange ex, String reason) {
    counters.malformed(ex.path(), reason);
    HttpIo.text(ex, 400, "malformed payload: " + reason + "; nothing stored");
  }

  /** Like the Agent's answer: every service/env seen keeps everything (this collector samples nothing away). */
  static String rateByService(List<Span> spans) throws IOException {
    Set<String> keys = new TreeSet<>();
    keys.add("service:,env:");
    for (Span s : spans) keys.add("service:" + s.service() + ",env:" + s.meta().getOrDefault("env", ""));
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeObjectFieldStart("rate_by_service");
      for (String k : keys) g.writeNumberField(k, 1.0);
      g.writeEndObject();
      g.writeEndObject();
    }
    return w.toString();
  }
}
