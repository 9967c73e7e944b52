package dev.ddsls.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
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
  private final long maxBody;

  IntakeApi(Store store, Counters counters, List<ProfileSpanIndexer> indexers, long maxBody) {
    this.store = store;
    this.counters = counters;
    this.indexers = indexers;
    this.maxBody = maxBody;
  }

  void traces(HttpExchange ex, String version) throws Exception {
    String method = ex.getRequestMethod();
    if (!method.equals("PUT") && !method.equals("POST")) {
      HttpIo.text(ex, 405, "use PUT or POST on " + ex.getRequestURI().getPath());
      return;
    }
    byte[] body = body(ex);
    if (body == null) return;
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    boolean json = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    List<Span> spans;
    try {
      if (version.equals("v0.5")) {
        if (json) throw new Malformed("v0.5 traces are msgpack only, got Content-Type " + type);
        spans = TraceDecoder.v05Msgpack(body);
      } else {
        spans = json ? TraceDecoder.v04Json(body) : TraceDecoder.v04Msgpack(body);
      }
    } catch (Malformed e) {
      reject(ex, e.getMessage());
      return;
    }
    if (!spans.isEmpty()) store.addSpans(spans, System.currentTimeMillis());
    counters.stored.addAndGet(spans.size());
    HttpIo.json(ex, 200, rateByService(spans));
  }

  void profile(HttpExchange ex) throws Exception {
    if (!ex.getRequestMethod().equals("POST")) {
      HttpIo.text(ex, 405, "use POST on /profiling/v1/input");
      return;
    }
    byte[] body = body(ex);
    if (body == null) return;
    ProfileUpload upload;
    try {
      upload = ProfileUpload.parse(ex.getRequestHeaders().getFirst("Content-Type"), body);
    } catch (Malformed e) {
      reject(ex, e.getMessage());
      return;
    }
    List<ProfileSpanIndexer.SpanRef> links;
    try {
      links = spanLinks(upload);
    } catch (Malformed e) {
      reject(ex, e.getMessage());
      return;
    }
    long id = store.addProfile(upload, links, System.currentTimeMillis());
    counters.stored.incrementAndGet();
    HttpIo.json(ex, 200, "{\"id\":" + id + "}");
  }

  /** Span links of every attachment; an indexer's {@link Malformed} (a recording it cannot read) refuses the upload. */
  private List<ProfileSpanIndexer.SpanRef> spanLinks(ProfileUpload upload) throws Malformed {
    List<ProfileSpanIndexer.SpanRef> out = new ArrayList<>();
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

  /** The body, or null once a 413 has been sent. */
  private byte[] body(HttpExchange ex) throws IOException {
    try {
      byte[] b = HttpIo.body(ex, maxBody);
      counters.bytes.addAndGet(b.length);
      return b;
    } catch (HttpIo.TooLarge e) {
      counters.rejected.incrementAndGet();
      HttpIo.text(ex, 413, "payload too large: " + e.getMessage() + "; nothing stored");
      return null;
    }
  }

  private void reject(HttpExchange ex, String reason) throws IOException {
    counters.malformed(ex.getRequestURI().getPath(), reason);
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
