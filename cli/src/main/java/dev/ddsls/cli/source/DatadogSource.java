package dev.ddsls.cli.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.analysis.trace.SpanReader;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Datadog's spans search ({@code POST /api/v2/spans/events/search}, docs/diagnose.md "Sources"), a page of 1000 at a time
 * following {@code meta.page.after}. Only indexed spans are searchable. Datadog has no public profile download API,
 * so profiles come from {@code --profiles} (a directory or a collector URL), read by that source.
 */
public final class DatadogSource implements Source {
  static final int PAGE = 1000;
  /** Retries of one request after 429; each waits what Datadog says, at most {@link #MAX_WAIT_S}. */
  static final int RETRIES = 3;
  static final long MAX_WAIT_S = 60;
  static final String NO_PROFILES = "profiles: Datadog has no public profile download API; pass --profiles DIR|URL "
      + "(a directory or a ddsls collect store) to add the init profiles";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final HttpUrl search;
  private final String apiKey;
  private final String appKey;
  private final Source profiles;
  private final OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
      .readTimeout(Duration.ofSeconds(60)).build();

  /**
   * {@code env} supplies DD_API_KEY, DD_APP_KEY, DD_SITE (default datadoghq.com) and DDSLS_DATADOG_API_URL (a base URL
   * replacing {@code https://api.<site>}, for tests and proxies). {@code profiles} may be null.
   */
  public DatadogSource(Map<String, String> env, Source profiles) {
    this.apiKey = required(env, "DD_API_KEY");
    this.appKey = required(env, "DD_APP_KEY");
    String base = env.get("DDSLS_DATADOG_API_URL");
    if (base == null || base.isBlank()) base = "https://api." + env.getOrDefault("DD_SITE", "datadoghq.com").trim();
    HttpUrl u = HttpUrl.parse(base);
    if (u == null) throw Cli.Failure.usage("not a URL: " + base + " (from DD_SITE or DDSLS_DATADOG_API_URL)");
    this.search = u.newBuilder().addPathSegments("api/v2/spans/events/search").build();
    this.profiles = profiles;
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) throw Cli.Failure.usage("--source datadog needs the environment variable " + name);
    return v.trim();
  }

  @Override public String describe() { return "datadog:" + search.host(); }

  @Override
  public void fetch(Query q, SourceData into, Progress progress) throws IOException {
    String cursor = null;
    int pages = 0, unreadable = 0;
    String firstUnreadable = null;
    Set<String> cursors = new HashSet<>();
    do {
      JsonNode page = post(body(q, cursor));
      for (JsonNode s : page.path("data")) {
        if (!s.has("attributes")) continue;
        try {
          into.spans.add(SpanReader.fromApi(s.get("attributes")));
        } catch (RuntimeException e) { // an id or a timestamp that does not parse: that span is left out, not the report
          if (unreadable++ == 0) firstUnreadable = e.getClass().getSimpleName() + ": " + Cli.firstLine(e.getMessage());
        }
      }
      JsonNode after = page.path("meta").path("page").path("after");
      cursor = after.isTextual() && !after.asText().isEmpty() ? after.asText() : null;
      // A cursor met before would page forever (an answer replayed by a proxy, an API fault).
      if (cursor != null && !cursors.add(cursor)) {
        throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog's spans search sent page cursor " + abbreviate(cursor) + " a second time (after "
            + pages + " pages): stopped rather than read the same pages forever");
      }
      pages++;
      progress.update("fetching spans from Datadog: " + into.spans.size() + " (" + pages + " requests)");
    } while (cursor != null);
    if (unreadable > 0) into.notes.add(unreadable + " spans from Datadog left out, not readable (the first: " + firstUnreadable + ")");
    progress.done();
    if (profiles == null) {
      into.notes.add(NO_PROFILES);
      return;
    }
    SourceData p = new SourceData();
    profiles.fetch(q, p, progress);
    into.profiles.addAll(p.profiles);
    into.notes.addAll(p.notes);
    into.notes.add("profiles: from " + profiles.describe() + " (Datadog has no public profile download API)");
  }

  /** The search request (docs/diagnose.md "Sources"); the filter query is Datadog's search syntax. */
  String body(Query q, String cursor) {
    List<String> terms = new ArrayList<>();
    if (q.service() != null) terms.add("service:" + term(q.service()));
    if (q.function() != null) terms.add("@functionname:" + term(q.function()));
    if (q.env() != null) terms.add("env:" + term(q.env()));
    // By the low half, the spelling every span has; a 128-bit id is then matched whole when the report is built.
    if (q.traceId() != null) terms.add("trace_id:" + q.traceIdLow());
    ObjectNode root = JSON.createObjectNode();
    ObjectNode data = root.putObject("data");
    data.put("type", "search_request");
    ObjectNode a = data.putObject("attributes");
    ObjectNode filter = a.putObject("filter");
    filter.put("query", terms.isEmpty() ? "*" : String.join(" ", terms));
    filter.put("from", q.from() != null ? q.from().toString() : "now-1h");
    filter.put("to", q.to() != null ? q.to().toString() : "now");
    a.putObject("options").put("timezone", "GMT");
    ObjectNode page = a.putObject("page");
    page.put("limit", PAGE);
    if (cursor != null) page.put("cursor", cursor);
    a.put("sort", "timestamp");
    return root.toString();
  }

  private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 37) + "..." : s; }

  /** Quotes values with characters that Datadog's query syntax treats specially. */
  static String term(String v) {
    return v.matches("[A-Za-z0-9_.\\-/*]+") ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private JsonNode post(String body) {
    for (int attempt = 0; ; attempt++) {
      Request req = new Request.Builder().url(search).header("DD-API-KEY", apiKey).header("DD-APPLICATION-KEY", appKey)
          .header("Accept", "application/json").post(RequestBody.create(body, JSON_TYPE)).build();
      try (Response r = http.newCall(req).execute()) {
        if (r.code() == 401 || r.code() == 403) {
          throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog rejected the API/application key (HTTP " + r.code() + " from "
              + search.host() + "; check DD_API_KEY, DD_APP_KEY, DD_SITE and the apm_read permission)");
        }
        if (r.code() == 429) {
          long wait = waitSeconds(r);
          String limit = "Datadog's spans search rate limit (300 requests/hour) is used up (X-RateLimit-Remaining "
              + header(r, "X-RateLimit-Remaining", "?") + ")";
          if (attempt >= RETRIES) {
            throw new Cli.Failure(Cli.UNAVAILABLE, limit + "; gave up after " + RETRIES + " retries: try again in "
                + wait + " s or narrow --since/--function");
          }
          if (wait > MAX_WAIT_S) {
            throw new Cli.Failure(Cli.UNAVAILABLE, limit + "; it resets in " + wait + " s: try again then or narrow --since/--function");
          }
          sleep(wait);
          continue;
        }
        String text = r.body().string();
        if (!r.isSuccessful()) {
          throw new Cli.Failure(r.code() == 400 ? Cli.USAGE : Cli.UNAVAILABLE, "Datadog answered " + r.code() + " to the spans search"
              + (text.isBlank() ? "" : ": " + text.lines().findFirst().orElse("")));
        }
        try {
          return JSON.readTree(text);
        } catch (IOException e) {
          throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog sent invalid JSON for the spans search");
        }
      } catch (IOException e) {
        throw new Cli.Failure(Cli.UNAVAILABLE, "cannot reach Datadog at " + search.host() + " (" + e.getMessage() + ")");
      }
    }
  }

  /** Retry-After, else X-RateLimit-Reset (seconds until the window resets), else 1 s. */
  static long waitSeconds(Response r) {
    for (String h : new String[] {"Retry-After", "X-RateLimit-Reset"}) {
      try {
        String v = r.header(h);
        if (v != null) return Math.max(0, Long.parseLong(v.trim()));
      } catch (NumberFormatException e) {
        // an HTTP date or garbage: try the next header
      }
    }
    return 1;
  }

  private static String header(Response r, String name, String otherwise) {
    String v = r.header(name);
    return v == null ? otherwise : v;
  }

  private static void sleep(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cli.Failure(Cli.UNAVAILABLE, "interrupted while waiting for Datadog's rate limit");
    }
  }
}
