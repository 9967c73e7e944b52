package dev.ddsls.cli.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.profile.ProfileFormatException;
import dev.ddsls.analysis.profile.ProfileNotes;
import dev.ddsls.analysis.profile.ProfileReader;
import dev.ddsls.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Profiles from Datadog itself ({@code --datadog-profiles}), through the endpoints Datadog's own tools call and mark
 * unstable (docs/diagnose.md "Profiles from Datadog", with their sources): {@code POST /api/unstable/profiles/list}
 * for the newest profiles of the window, then {@code GET /api/ui/profiling/profiles/{id}/download} for each, a zip of
 * the profile's files (or the file itself). Every file goes through {@link ProfileReader}, so it is attributed as any
 * other profile. Bounded by a number of profiles and of bytes; what cannot be read is a note, the rest stands.
 */
final class DatadogProfiles {
  static final DatadogApi.Endpoint LIST = new DatadogApi.Endpoint("profile list (/api/unstable/profiles/list)", null,
      "access to the Continuous Profiler");
  static final DatadogApi.Endpoint DOWNLOAD = new DatadogApi.Endpoint("profile download (/api/ui/profiling/profiles/.../download)",
      null, "access to the Continuous Profiler");
  /** Files read from one download at most: a profile's zip holds a few (one per profile type, metrics.json). */
  static final int MAX_FILES_PER_PROFILE = 32;
  private static final long MAX_LIST_BYTES = 16L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  /** How much {@code --datadog-profiles} may fetch: profiles listed and downloaded, and bytes downloaded. */
  record Limits(int maxProfiles, long maxBytes) {}

  private final DatadogApi api;
  private final Limits limits;

  DatadogProfiles(DatadogApi api, Limits limits) {
    this.api = api;
    this.limits = limits;
  }

  /** One row of the list: the event id (the list's {@code id}) and the profile id ({@code attributes}), may be null. */
  record Listed(String eventId, String profileId) {}

  void fetch(Query q, SourceData into, Progress progress) {
    List<Listed> listed = list(q, into);
    ProfileNotes notes = new ProfileNotes();
    long bytes = 0;
    int fetched = 0, files = 0;
    for (Listed p : listed) {
      if (bytes >= limits.maxBytes()) {
        into.notes.add("profiles from Datadog: stopped at the byte limit (--datadog-max-bytes " + limits.maxBytes()
            + ") after " + fetched + " of " + listed.size() + " profiles");
        break;
      }
      byte[] body = download(p, limits.maxBytes() - bytes, into);
      if (body == null) continue;
      bytes += body.length;
      fetched++;
      files += read(p, body, notes, into);
      progress.update("fetching profiles from Datadog: " + fetched + " of " + listed.size());
    }
    into.notes.addAll(notes.lines());
    into.notes.add("profiles: " + fetched + " downloaded from Datadog (" + files + " files, " + bytes + " bytes) through its "
        + "unstable profile list and download endpoints");
  }

  /** The list request (docs/diagnose.md): newest first, as many as the limit, over the query's window. */
  String listBody(Query q) {
    List<String> terms = new ArrayList<>();
    if (q.service() != null) terms.add("service:" + DatadogSource.term(q.service()));
    // The agent tags its profiles with the function's name in lower case, as the extension tags spans.
    if (q.function() != null) terms.add("functionname:" + DatadogSource.term(q.function().toLowerCase(Locale.ROOT)));
    if (q.env() != null) terms.add("env:" + DatadogSource.term(q.env()));
    Instant to = q.to() != null ? q.to() : Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant from = q.from() != null ? q.from() : to.minus(Duration.ofHours(1));
    ObjectNode root = JSON.createObjectNode();
    ObjectNode filter = root.putObject("filter");
    filter.put("from", from.toString());
    filter.put("to", to.toString());
    filter.put("query", terms.isEmpty() ? "*" : String.join(" ", terms));
    ObjectNode sort = root.putObject("sort");
    sort.put("field", "timestamp");
    sort.put("order", "desc");
    root.put("limit", limits.maxProfiles());
    return root.toString();
  }

  private List<Listed> list(Query q, SourceData into) {
    HttpUrl url = api.base.newBuilder().addPathSegments("api/unstable/profiles/list").build();
    JsonNode page;
    try (Response r = api.call(new Request.Builder().url(url).header("Accept", "application/json")
        .post(RequestBody.create(listBody(q), JSON_TYPE)), LIST, false)) {
      byte[] b = bounded(r, MAX_LIST_BYTES);
      if (b == null) {
        throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog's profile list answered with over " + (MAX_LIST_BYTES >> 20) + " MiB: refused");
      }
      page = JSON.readTree(b);
    } catch (IOException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog sent invalid JSON for the profile list (an unstable endpoint: "
          + Cli.firstLine(e.getMessage()) + ")");
    }
    JsonNode data = page == null ? null : page.get("data");
    if (data == null || !data.isArray()) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog's profile list answered without a \"data\" array (an unstable endpoint: "
          + "its answer may have changed; use --profiles DIR|URL instead)");
    }
    List<Listed> out = new ArrayList<>();
    int unusable = 0;
    for (JsonNode row : data) {
      JsonNode a = row.path("attributes");
      String event = text(row.get("id"));
      String profile = text(a.get("profile-id"));
      if (profile == null) profile = text(a.get("id"));
      if (event == null || !safeId(event) || (profile != null && !safeId(profile))) {
        unusable++;
        continue;
      }
      if (out.size() < limits.maxProfiles()) out.add(new Listed(event, profile));
    }
    if (unusable > 0) into.notes.add(unusable + " rows of Datadog's profile list left out: no usable \"id\"");
    if (data.size() > limits.maxProfiles()) {
      into.notes.add("profiles from Datadog: the newest " + limits.maxProfiles() + " of the window (--datadog-max-profiles)");
    }
    return out;
  }

  /**
   * The download of one profile, at most {@code budget} bytes, or null (a note says why). The newest client (pup)
   * names the event id in the path; the older one (datadog-pgo) the profile id with {@code ?eventId=}: the second is
   * tried only when the first is not found.
   */
  private byte[] download(Listed p, long budget, SourceData into) {
    HttpUrl byEvent = api.base.newBuilder().addPathSegments("api/ui/profiling/profiles").addPathSegment(p.eventId())
        .addPathSegment("download").build();
    HttpUrl byProfile = p.profileId() == null ? null : api.base.newBuilder().addPathSegments("api/ui/profiling/profiles")
        .addPathSegment(p.profileId()).addPathSegment("download").addQueryParameter("eventId", p.eventId()).build();
    for (HttpUrl url : byProfile == null ? List.of(byEvent) : List.of(byEvent, byProfile)) {
      try (Response r = api.call(new Request.Builder().url(url).get(), DOWNLOAD, true)) {
        if (r == null) continue;
        byte[] b = bounded(r, budget);
        if (b == null) {
          into.notes.add("profile " + p.eventId() + " from Datadog left out: over the remaining byte limit (--datadog-max-bytes)");
          return null;
        }
        return b;
      } catch (IOException e) {
        throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read profile " + p.eventId() + " from Datadog (" + e.getMessage() + ")");
      }
    }
    into.notes.add("profile " + p.eventId() + " from Datadog left out: its download was not found (404)");
    return null;
  }

  /** Reads the profile files of one download into {@code into}; returns how many were read. */
  private int read(Listed p, byte[] body, ProfileNotes notes, SourceData into) {
    String id = "datadog:" + p.eventId();
    if (!isZip(body)) return add(id, body, notes, into) ? 1 : 0;
    int read = 0, entries = 0;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(body))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.isDirectory() || e.getName().endsWith(".json")) continue; // metrics.json: the profile's own figures
        if (++entries > MAX_FILES_PER_PROFILE) {
          notes.unreadable(id, "over " + MAX_FILES_PER_PROFILE + " files in its zip; the rest left out");
          break;
        }
        // The bound of one file is the reader's, so that a small zip cannot expand into the heap.
        byte[] b = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, JfrProfiles.MAX_BYTES + 1));
        String fileId = id + "/" + e.getName();
        if (b.length > JfrProfiles.MAX_BYTES) {
          notes.unreadable(fileId, "over " + (JfrProfiles.MAX_BYTES >> 20) + " MiB once unzipped");
          continue;
        }
        if (add(fileId, b, notes, into)) read++;
      }
    } catch (ZipException e) {
      notes.unreadable(id, "a broken zip (" + e.getMessage() + ")");
    } catch (IOException e) {
      notes.unreadable(id, e.getMessage());
    }
    return read;
  }

  private static boolean add(String id, byte[] b, ProfileNotes notes, SourceData into) {
    try {
      ProfileReader.Read r = ProfileReader.read(id, b);
      into.profiles.addAll(r.inputs());
      notes.add(r);
      DirectorySource.noteJfr(r, into);
      return true;
    } catch (ProfileFormatException e) {
      notes.unreadable(id, e.getMessage());
      return false;
    } catch (StackOverflowError | OutOfMemoryError e) {
      notes.unreadable(id, Cli.describe(e));
      return false;
    }
  }

  static boolean isZip(byte[] b) { return b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4; }

  /** The body, or null when it is longer than {@code max}. */
  private static byte[] bounded(Response r, long max) throws IOException {
    try (InputStream in = r.body().byteStream()) {
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      return b.length > max ? null : b;
    }
  }

  private static String text(JsonNode n) { return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : null; }

  /** Ids go into a URL path segment (encoded there): one that is long or holds control characters is not an id. */
  private static boolean safeId(String id) { return id.length() <= 512 && id.chars().allMatch(c -> c > ' ' && c < 0x7f); }
}
