package dev.ddsls.cli.diagnose;

import dev.ddsls.analysis.diagnose.Diagnosis;
import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.analysis.priming.PrimingList;
import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.DurationConverter;
import dev.ddsls.cli.SizeConverter;
import dev.ddsls.cli.Verbose;
import dev.ddsls.cli.source.Progress;
import dev.ddsls.cli.source.Source;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddsls diagnose}: the cold-start and trace-connectivity reports of the functions in a source. */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
    description = {"Explains cold starts (phases, init hot frames, findings) and checks that traces connect across",
        "triggers. Sources: a directory (agent output, pprof/JFR, span exports, X-Ray exports, Lambda REPORT logs)",
        "a ddsls collect store (http://HOST:PORT) or Datadog (datadog: its spans search, and its profiles with",
        "--datadog-profiles). Exit: 0 ok, 2 usage, 3 source unavailable or unreadable."})
public final class DiagnoseCommand implements Callable<Integer> {
  private static final Pattern HEX_128 = Pattern.compile("[0-9a-fA-F]{32}");

  @Option(names = "--source", paramLabel = "SRC", defaultValue = "http://127.0.0.1:8126",
      description = "DIR, http://HOST:PORT (ddsls collect) or datadog (DD_API_KEY, DD_APP_KEY, DD_SITE). Default: ${DEFAULT-VALUE}.")
  String source;

  @Option(names = "--profiles", paramLabel = "DIR|URL",
      description = "With --source datadog: where profiles come from (a directory or a ddsls collect URL).")
  String profiles;

  @Option(names = "--datadog-profiles",
      description = {"With --source datadog: also fetch profiles from Datadog, through the profile list and download",
          "endpoints its own tools use. Datadog marks them unstable: they may change or go without notice."})
  boolean datadogProfiles;
  @Option(names = "--datadog-max-profiles", paramLabel = "N",
      description = "With --datadog-profiles: the newest N profiles of the window at most. Default: ${DEFAULT-VALUE}.")
  int datadogMaxProfiles = 20;
  @Option(names = "--datadog-max-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "With --datadog-profiles: bytes downloaded at most (e.g. 64MiB). Default: 256MiB.")
  long datadogMaxBytes = 256L << 20;

  /** Never echoed: no default shown, no message names it. */
  @Option(names = "--token", paramLabel = "TOKEN", arity = "1",
      description = {"The token of a ddsls collect --token source, sent as Authorization: Bearer.",
          "Default: $DDSLS_COLLECTOR_TOKEN, else $DDSLS_COLLECT_TOKEN (the collector's own), else the URL's password."})
  String token;

  @Option(names = {"--service"}, description = "Only this service.") String service;
  @Option(names = {"--function"}, description = "Only this function (functionname).") String function;
  @Option(names = "--env", description = "Only spans with this env tag.") String env;
  @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class, description = "Window ending now: 30m, 1h, 2d.")
  Duration since;
  @Option(names = "--from", paramLabel = "ISO-8601") String from;
  @Option(names = "--to", paramLabel = "ISO-8601") String to;
  @Option(names = "--trace-id", paramLabel = "ID",
      description = "Only this trace: unsigned decimal (its low 64 bits) or 32 hex digits (a 128-bit id).") String traceId;
  @Option(names = "--format", description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.") ReportFormat format = ReportFormat.text;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report here instead of stdout.") Path output;
  @Option(names = "--code", paramLabel = "JAR|ZIP|DIR",
      description = {"The function's deployment package (jar, zip or unpacked task root): the classes no bundled",
          "dependency brought are its own code. Default: the jar of a coldstart output directory, else the handler's package."})
  Path code;
  @Option(names = "--priming", paramLabel = "DIR",
      description = {"Write each function's priming list into DIR/<function>/classesloaded.txt (the classes its first",
          "invocation loaded, from the agent's class lists; the format Powertools' ClassPreLoader reads)."})
  Path priming;
  @Option(names = "--quiet", description = "No progress on stderr.") boolean quiet;
  @Mixin Verbose verbose;

  /** What {@code ddsls demo} shows: one service's report from a collector, without progress lines. */
  public static DiagnoseCommand ofService(String source, String service, ReportFormat format) {
    DiagnoseCommand c = new DiagnoseCommand();
    c.source = source;
    c.service = service;
    c.format = format;
    c.quiet = true;
    return c;
  }

  @Override
  public Integer call() throws Exception {
    Query q = query();
    if (!datadogProfiles && (datadogMaxProfiles != 20 || datadogMaxBytes != 256L << 20)) {
      throw Cli.Failure.usage("--datadog-max-profiles and --datadog-max-bytes go with --datadog-profiles");
    }
    if (datadogMaxProfiles < 1 || datadogMaxBytes < 1) throw Cli.Failure.usage("--datadog-max-profiles and --datadog-max-bytes must be above 0");
    Source src = Source.of(source, profiles, token != null ? token : envToken(), datadogProfiles ? datadogMaxProfiles : 0,
        datadogMaxBytes);
    SourceData data = new SourceData();
    src.fetch(q, data, Progress.forTerminal(quiet));
    if (code != null && !Files.exists(code)) throw Cli.Failure.usage("--code " + code + ": no such file or directory");
    DiagnoseReport report;
    try {
      report = Diagnosis.build(src.describe(), q, data, code);
    } catch (IOException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read --code " + e.getMessage());
    }
    primingLists(data, report);
    PrintWriter out = new PrintWriter(output == null ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
        : Files.newBufferedWriter(output, StandardCharsets.UTF_8));
    format.write(report, out, output == null && System.console() != null && System.getenv("NO_COLOR") == null);
    if (output != null) out.close();
    else out.flush();
    return Cli.OK;
  }

  /** A note per function with a class list, and with --priming its classesloaded.txt. */
  private void primingLists(SourceData data, DiagnoseReport report) throws IOException {
    String fallback = report.functions().size() == 1 ? report.functions().get(0).function() : "(function)";
    for (PrimingList p : PrimingList.of(data.classLists, data.profiles, fallback)) {
      String note = p.summary();
      if (priming != null) {
        Path file = priming.resolve(p.function().replaceAll("[^A-Za-z0-9._-]", "_")).resolve("classesloaded.txt");
        try {
          Files.createDirectories(file.getParent());
          Files.writeString(file, p.classesLoadedTxt(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new Cli.Failure(Cli.UNAVAILABLE, "cannot write --priming " + file + ": " + e.getMessage());
        }
        note += " Written to " + file + ".";
      } else {
        note += " Write it with --priming DIR.";
      }
      report.notes().add(note);
    }
  }

  /** The collector's token from the environment: the clients' variable, else the one {@code ddsls collect} reads. */
  static String envToken() {
    for (String name : new String[] {"DDSLS_COLLECTOR_TOKEN", "DDSLS_COLLECT_TOKEN"}) {
      String v = System.getenv(name);
      if (v != null && !v.isBlank()) return v.strip();
    }
    return null;
  }

  Query query() {
    Instant f = null, t = null;
    if (since != null) {
      if (from != null) throw Cli.Failure.usage("--since and --from exclude each other");
      t = Instant.now();
      f = t.minus(since);
    }
    if (from != null) f = instant(from, "--from");
    if (to != null) t = instant(to, "--to");
    if (f != null && t != null && f.isAfter(t)) throw Cli.Failure.usage("--from is after --to");
    if (traceId != null && !HEX_128.matcher(traceId).matches()) {
      try {
        Long.parseUnsignedLong(traceId);
      } catch (NumberFormatException e) {
        throw Cli.Failure.usage("--trace-id must be an unsigned decimal or 32 hex digits: " + traceId);
      }
    }
    return new Query(service, function, env, f, t, traceId);
  }

  static Instant instant(String s, String option) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e2) {
        throw Cli.Failure.usage(option + " must be ISO-8601, e.g. 2024-05-01T12:00:00Z: " + s);
      }
    }
  }
}
