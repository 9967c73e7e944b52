package dev.ddsls.cli.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.analysis.trace.SpanReader;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Datadog's spans search ({@code POST /api/v2/spans/events/search}, docs/diagnose.md "Sources"), a page of 1000 at a time
 * following {@code meta.page.after}. Only indexed spans are searchable. Profiles come from Datadog's unstable profile
 * endpoints when asked ({@code --datadog-profiles}: {@link DatadogProfiles}), and/or from {@code --profiles} (a
 * directory or a collector URL), read by that source.
 */
public final class DatadogSource implements Source {
  static final int PAGE = 1000;
  static final DatadogApi.Endpoint SEARCH = new DatadogApi.Endpoint("spans search", "300 requests/hour", "the apm_read permission");
  static final String NO_PROFILES = "profiles: none asked for; pass --datadog-profiles (Datadog's unstable profile "
      + "endpoints) or --profiles DIR|URL (a directory or a ddsls collect store) to add the init profiles";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final DatadogApi api;
  private final HttpUrl search;
  private final Source profiles;
  private final DatadogProfiles datadogProfiles;

  /** As {@link #DatadogSource(Map, Source, DatadogProfiles.Limits)} without profiles from Datadog. */
  public DatadogSource(Map<String, String> env, Source profiles) { this(env, profiles, null); }

  /**
   * {@code env} supplies the keys and site ({@link DatadogApi}). {@code profiles} may be null; {@code datadogProfiles}
   * (null: none) bounds the profiles fetched from Datadog itself.
   */
  DatadogSource(Map<String, String> env, Source profiles, DatadogProfiles.Limits datadogProfiles) {
    this.api = new DatadogApi(env);
    this.search = api.base.newBuilder().addPathSegments("api/v2/spans/events/search").build();
    this.profiles = profiles;
    this.datadogProfiles = datadogProfiles == null ? null : new DatadogProfiles(api, datadogProfiles);
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
    if (datadogProfiles != null) datadogProfiles.fetch(q, into, progress);
    progress.done();
    if (profiles == null) {
      if (datadogProfiles == null) into.notes.add(NO_PROFILES);
      return;
    }
    SourceData p = new SourceData();
    profiles.fetch(q, p, progress);
    into.profiles.addAll(p.profiles);
    into.notes.addAll(p.notes);
    into.notes.add("profiles: from " + profiles.describe());
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
    try (Response r = api.call(new Request.Builder().url(search).header("Accept", "application/json")
        .post(RequestBody.create(body, JSON_TYPE)), SEARCH, false)) {
      return JSON.readTree(r.body().string());
    } catch (JsonProcessingException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog sent invalid JSON for the spans search");
    } catch (IOException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read the spans search's answer from " + search.host() + " (" + e.getMessage() + ")");
    }
  }
}
