package dev.ddsls.cli.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.profile.ProfileFormatException;
import dev.ddsls.analysis.profile.ProfileNotes;
import dev.ddsls.analysis.profile.ProfileReader;
import dev.ddsls.analysis.trace.SpanFormatException;
import dev.ddsls.analysis.trace.SpanReader;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A {@code ddsls collect} store, through its read API: {@code GET /ddsls/v1/spans?all=true} (every span in one
 * streamed answer), {@code /ddsls/v1/profiles} a page at a time ({@code next_cursor}), then each profile's
 * attachments (pprof or JFR, any compression: {@link ProfileReader}).
 */
public final class CollectorSource implements Source {
  static final int PAGE = 1000;
  /** A page of 1,000 profiles' listings is some 300 KB. */
  private static final long MAX_PAGE_BYTES = 64L << 20;
  private static final int FETCHERS = 2;
  static final int BUSY_RETRIES = 5;
  private static final long MAX_BUSY_WAIT_S = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpUrl base;
  private final OkHttpClient http;

  public CollectorSource(String url) { this(url, null); }

  /**
   * @param token what {@code ddsls collect --token} expects, sent as {@code Authorization: Bearer} on every request;
   *     null: the password of the URL's user info ({@code http://ddsls:TOKEN@host:8126}), if any. The user info is
   *     taken out of the URL, so no message names it.
   */
  public CollectorSource(String url, String token) {
    HttpUrl u = HttpUrl.parse(url);
    if (u == null) throw Cli.Failure.usage("not a URL: " + redact(url));
    String fromUrl = !u.password().isEmpty() ? u.password() : !u.username().isEmpty() ? u.username() : null;
    this.base = u.newBuilder().username("").password("").build();
    String bearer = token != null && !token.isEmpty() ? token : fromUrl;
    OkHttpClient.Builder b = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(60));
    if (bearer != null) {
      b.addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + bearer).build()));
    }
    this.http = b.build();
  }

  /** A URL that did not parse, for a message: what lies between {@code //} and the last {@code @} is left out. */
  static String redact(String url) {
    int scheme = url.indexOf("//"), at = url.lastIndexOf('@');
    return scheme >= 0 && at > scheme ? url.substring(0, scheme + 2) + "***" + url.substring(at) : url;
  }

  @Override public String describe() { return base.toString(); }

  @Override
  public void fetch(Query q, SourceData into, Progress progress) throws IOException {
    // Profile attachments are listed first and then downloaded and parsed a few at a time while the spans stream in:
    // one after the other, their round trips and parses added to the spans' time. Results are added in listing
    // order, so the outcome does not depend on timing.
    ExecutorService pool = Executors.newFixedThreadPool(FETCHERS, r -> {
      Thread t = new Thread(r, "ddsls-collector-fetch");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Attachment>> profiles = new ArrayList<>();
      String cursor = null;
      do {
        HttpUrl.Builder u = url("ddsls/v1/profiles", q);
        if (cursor != null) u.addQueryParameter("cursor", cursor);
        JsonNode page = get(u.build());
        for (JsonNode p : page.path("profiles")) {
          for (JsonNode a : p.path("attachments")) {
            String name = a.path("name").asText();
            HttpUrl url = base.resolve(a.path("url").asText());
            String id = "collector:profile/" + p.path("id").asText() + "/" + name;
            // Attachments are fetched from the collector itself only: the token goes nowhere else.
            if (url == null || !sameOrigin(url)) {
              profiles.add(CompletableFuture.completedFuture(new Attachment(id, null, "its URL points outside " + base)));
              continue;
            }
            profiles.add(pool.submit(() -> profile(url, id)));
          }
        }
        cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
      } while (cursor != null);
      do {
        HttpUrl.Builder u = url("ddsls/v1/spans", q);
        // all=true: every span in one streamed answer. A collector that predates it ignores it and pages instead.
        u.addQueryParameter("all", "true");
        if (q.traceId() != null) u.addQueryParameter("trace_id", q.traceId());
        if (cursor != null) u.addQueryParameter("cursor", cursor);
        cursor = spans(u.build(), into, progress);
        progress.update("fetching spans from " + base + ": " + into.spans.size());
      } while (cursor != null);
      ProfileNotes notes = new ProfileNotes();
      for (Future<Attachment> f : profiles) {
        Attachment a = await(f);
        if (a.unreadable != null) {
          notes.unreadable(a.id, a.unreadable);
          continue;
        }
        ProfileReader.Read r = a.read;
        into.profiles.addAll(r.inputs());
        notes.add(r);
        DirectorySource.noteJfr(r, into);
        if (into.profiles.size() % 100 == 0) progress.update("fetching profiles from " + base + ": " + into.profiles.size());
      }
      into.notes.addAll(notes.lines());
    } finally {
      pool.shutdownNow();
    }
    progress.done();
  }

  /**
   * One attachment, whatever its format and compression. One that cannot be read is left out with a note: the
   * collector validated it at upload, so this is a store written before that or a format ddsls cannot read, and the
   * rest of the report still holds.
   */
  private Attachment profile(HttpUrl url, String id) {
    try {
      return new Attachment(id, ProfileReader.read(id, bytes(url, JfrProfiles.MAX_BYTES)), null);
    } catch (ProfileFormatException | TooLarge e) {
      return new Attachment(id, null, e.getMessage());
    } catch (StackOverflowError | OutOfMemoryError e) {
      // One attachment too large or too deep for this heap or stack: the others still make the report.
      return new Attachment(id, null, Cli.describe(e));
    }
  }

  private boolean sameOrigin(HttpUrl u) { return u.scheme().equals(base.scheme()) && u.host().equals(base.host()) && u.port() == base.port(); }

  /** An attachment read, or why it could not be. */
  private record Attachment(String id, ProfileReader.Read read, String unreadable) {}

  private static Attachment await(Future<Attachment> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching profiles");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) throw (RuntimeException) e.getCause();
      if (e.getCause() instanceof Error) throw (Error) e.getCause();
      throw new IOException(e.getCause());
    }
  }

  /**
   * Streams one answer's spans into {@code into} as they arrive (with all=true the answer holds every span: never
   * held in memory as a whole, nor as a tree); returns next_cursor.
   */
  private String spans(HttpUrl url, SourceData into, Progress progress) {
    String next = null;
    try (Response r = call(url); JsonParser p = JSON.getFactory().createParser(r.body().byteStream())) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("spans") && t == JsonToken.START_ARRAY) {
          SpanReader.readValue(p, span -> {
            into.spans.add(span);
            if (into.spans.size() % 100_000 == 0) progress.update("fetching spans from " + base + ": " + into.spans.size());
          });
        }
        else if (field.equals("next_cursor") && t == JsonToken.VALUE_STRING) next = p.getText();
        else p.skipChildren();
      }
    } catch (JsonProcessingException | SpanFormatException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "the collector at " + base + " sent a page of spans that is not span JSON ("
          + Cli.firstLine(e.getMessage()) + ")", e);
    } catch (IOException e) {
      throw unreachable(e);
    }
    return next;
  }

  private HttpUrl.Builder url(String path, Query q) {
    HttpUrl.Builder u = base.newBuilder().addPathSegments(path).addQueryParameter("limit", Integer.toString(PAGE));
    if (q.service() != null) u.addQueryParameter("service", q.service());
    if (q.function() != null) u.addQueryParameter("function", q.function());
    if (q.from() != null) u.addQueryParameter("from", q.from().toString());
    if (q.to() != null) u.addQueryParameter("to", q.to().toString());
    return u;
  }

  private JsonNode get(HttpUrl url) throws IOException {
    try {
      return JSON.readTree(bytes(url, MAX_PAGE_BYTES));
    } catch (TooLarge e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "the collector at " + base + " answered " + url.encodedPath() + " with over "
          + (MAX_PAGE_BYTES >> 20) + " MiB: refused");
    } catch (JsonProcessingException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "the collector at " + base + " sent invalid JSON for " + url.encodedPath());
    }
  }

  /** Reads an answer's body up to {@code max} bytes: a body past it (a broken or hostile server) is one line, not the heap. */
  private byte[] bytes(HttpUrl url, long max) throws TooLarge {
    try (Response r = call(url); InputStream in = r.body().byteStream()) {
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (b.length > max) throw new TooLarge("the collector sent over " + (max >> 20) + " MiB: refused");
      return b;
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /** An answer past its bound. */
  private static final class TooLarge extends Exception {
    TooLarge(String message) { super(message); }
  }

  /**
   * A successful answer, its body still to be read; a failed one becomes a one-line Cli.Failure. A collector that is
   * busy (503: its streams or memory are taken) says when to come back in Retry-After; it is asked again up to
   * {@link #BUSY_RETRIES} times, each wait capped at {@link #MAX_BUSY_WAIT_S}.
   */
  private Response call(HttpUrl url) {
    for (int attempt = 0; ; attempt++) {
      Response r = send(url);
      if (r.code() != 503 || attempt >= BUSY_RETRIES) return answered(url, r, attempt);
      long wait = Math.min(MAX_BUSY_WAIT_S, DatadogApi.waitSeconds(r));
      r.close();
      try {
        Thread.sleep(wait * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Cli.Failure(Cli.UNAVAILABLE, "interrupted while the collector at " + base + " was busy");
      }
    }
  }

  private Response send(HttpUrl url) {
    try {
      return http.newCall(new Request.Builder().url(url).build()).execute();
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private Response answered(HttpUrl url, Response r, int retries) {
    try {
      if (r.code() == 404 && url.encodedPath().startsWith("/ddsls/v1/spans")) {
        throw new Cli.Failure(Cli.UNAVAILABLE, base + " is not a ddsls collect store (no /ddsls/v1/spans)");
      }
      if (r.code() == 401) {
        throw new Cli.Failure(Cli.UNAVAILABLE, "the collector at " + base + " wants its token (ddsls collect --token): give it with "
            + "--token or DDSLS_COLLECTOR_TOKEN");
      }
      if (!r.isSuccessful()) {
        String body = r.body() == null ? "" : r.body().string();
        throw new Cli.Failure(r.code() == 400 ? Cli.USAGE : Cli.UNAVAILABLE,
            "the collector at " + base + " answered " + r.code() + (body.isBlank() ? "" : ": " + body.lines().findFirst().orElse(""))
                + (retries > 0 ? " (asked " + (retries + 1) + " times)" : ""));
      }
      return r;
    } catch (IOException | RuntimeException e) {
      r.close();
      if (e instanceof RuntimeException) throw (RuntimeException) e;
      throw unreachable((IOException) e);
    }
  }

  private Cli.Failure unreachable(IOException e) {
    return new Cli.Failure(Cli.UNAVAILABLE, "cannot reach the collector at " + base + " (" + e.getMessage() + "); start it with 'ddsls collect'");
  }
}
