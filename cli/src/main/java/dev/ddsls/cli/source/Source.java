package dev.ddsls.cli.source;

import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code ddsls diagnose} reads spans and profiles from: a directory, a {@code ddsls collect} store, or
 * Datadog's API. Failures are {@link Cli.Failure}s: exit 2 for bad arguments, 3 when the data cannot be had.
 */
public interface Source {
  /** Fills {@code into} with what matches {@code q}; sources may filter less than asked (diagnose filters again). */
  void fetch(Query q, SourceData into, Progress progress) throws IOException;

  String describe();

  /**
   * Picks the source for a {@code --source} value; {@code profiles} (a directory or collector URL, may be null) is
   * where {@code datadog} reads profiles from (Datadog's own profile endpoints are unstable, and only used when asked).
   */
  static Source of(String spec, String profiles) { return of(spec, profiles, null); }

  /** As {@link #of(String, String)}; {@code collectorToken} (may be null) is what a {@code ddsls collect --token} expects. */
  static Source of(String spec, String profiles, String collectorToken) { return of(spec, profiles, collectorToken, 0, 0); }

  /**
   * As {@link #of(String, String, String)}; with {@code datadogProfiles} above 0, {@code datadog} also fetches that
   * many profiles at most (and {@code datadogBytes} bytes) from Datadog's unstable profile endpoints.
   */
  static Source of(String spec, String profiles, String collectorToken, int datadogProfiles, long datadogBytes) {
    if (spec.equals("datadog")) {
      return new DatadogSource(System.getenv(), profiles == null ? null : of(profiles, null, collectorToken),
          datadogProfiles > 0 ? new DatadogProfiles.Limits(datadogProfiles, datadogBytes) : null);
    }
    if (datadogProfiles > 0) throw Cli.Failure.usage("--datadog-profiles goes with --source datadog");
    if (profiles != null) throw Cli.Failure.usage("--profiles goes with --source datadog (other sources hold their own profiles)");
    if (spec.startsWith("http://") || spec.startsWith("https://")) return new CollectorSource(spec, collectorToken);
    Path dir = Path.of(spec);
    if (Files.isDirectory(dir) || Files.isRegularFile(dir)) return new DirectorySource(dir);
    // Not named --source: --profiles is read through here too.
    throw Cli.Failure.usage("no such file or directory: " + spec + " (a source is a directory or a file, "
        + "http://HOST:PORT for ddsls collect, or datadog)");
  }
}
