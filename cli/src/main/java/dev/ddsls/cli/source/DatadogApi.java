package dev.ddsls.cli.source;

import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One Datadog API site as {@code --source datadog} calls it: the base URL, the keys (from the environment only, never
 * printed) and the answers every endpoint shares: a rejected key, a rate limit waited out a few times, an error as
 * one line (docs/diagnose.md "Sources").
 */
final class DatadogApi {
  /** Retries of one request after 429; each waits what Datadog says, at most {@link #MAX_WAIT_S}. */
  static final int RETRIES = 3;
  static final long MAX_WAIT_S = 60;

  final HttpUrl base;
  private final String apiKey;
  private final String appKey;
  private final OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
      .readTimeout(Duration.ofSeconds(60)).build();

  /**
   * {@code env} supplies DD_API_KEY, DD_APP_KEY, DD_SITE (default datadoghq.com) and DDSLS_DATADOG_API_URL (a base URL
   * replacing {@code https://api.<site>}, for tests and proxies).
   */
  DatadogApi(Map<String, String> env) {
    this.apiKey = required(env, "DD_API_KEY");
    this.appKey = required(env, "DD_APP_KEY");
    String b = env.get("DDSLS_DATADOG_API_URL");
    if (b == null || b.isBlank()) b = "https://api." + env.getOrDefault("DD_SITE", "datadoghq.com").trim();
    HttpUrl u = HttpUrl.parse(b);
    if (u == null) throw Cli.Failure.usage("not a URL: " + b + " (from DD_SITE or DDSLS_DATADOG_API_URL)");
    this.base = u;
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) throw Cli.Failure.usage("--source datadog needs the environment variable " + name);
    return v.trim();
  }

  /** What one endpoint is called in messages, its rate limit as Datadog documents it, the permission it needs. */
  record Endpoint(String what, String limit, String permission) {}

  /**
   * Sends {@code req} with the keys and returns the successful answer (the caller closes it), or null for a 404 when
   * {@code notFoundIsNull}; every other failure is a one-line {@link Cli.Failure}.
   */
  Response call(Request.Builder req, Endpoint e, boolean notFoundIsNull) {
    Request r0 = req.header("DD-API-KEY", apiKey).header("DD-APPLICATION-KEY", appKey).build();
    for (int attempt = 0; ; attempt++) {
      Response r;
      try {
        r = http.newCall(r0).execute();
      } catch (IOException x) {
        throw new Cli.Failure(Cli.UNAVAILABLE, "cannot reach Datadog at " + base.host() + " (" + x.getMessage() + ")");
      }
      if (r.isSuccessful()) return r;
      try (r) {
        if (r.code() == 401 || r.code() == 403) {
          throw new Cli.Failure(Cli.UNAVAILABLE, "Datadog rejected the API/application key (HTTP " + r.code() + " from "
              + base.host() + " for " + e.what + "; check DD_API_KEY, DD_APP_KEY, DD_SITE and " + e.permission + ")");
        }
        if (r.code() == 404 && notFoundIsNull) return null;
        if (r.code() == 429) {
          long wait = waitSeconds(r);
          String limit = "Datadog's " + e.what + " rate limit" + (e.limit == null ? "" : " (" + e.limit + ")")
              + " is used up (X-RateLimit-Remaining " + header(r, "X-RateLimit-Remaining", "?") + ")";
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
        String text;
        try {
          text = r.peekBody(4096).string(); // an error page is read to its first line only
        } catch (IOException x) {
          text = "";
        }
        throw new Cli.Failure(r.code() == 400 ? Cli.USAGE : Cli.UNAVAILABLE, "Datadog answered " + r.code() + " to the " + e.what
            + (text.isBlank() ? "" : ": " + text.lines().findFirst().orElse("")));
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
