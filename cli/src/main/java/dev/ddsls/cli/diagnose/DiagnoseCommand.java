package dev.ddsls.cli.diagnose;

import dev.ddsls.analysis.coldstart.ColdStartAnalyzer;
import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.coldstart.PlatformReport;
import dev.ddsls.analysis.connectivity.ConnectivityAnalyzer;
import dev.ddsls.analysis.connectivity.ConnectivityReport;
import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.analysis.report.HtmlReport;
import dev.ddsls.analysis.report.JsonReport;
import dev.ddsls.analysis.report.MarkdownReport;
import dev.ddsls.analysis.report.TextReport;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.source.Progress;
import dev.ddsls.cli.source.Query;
import dev.ddsls.cli.source.Source;
import dev.ddsls.cli.source.SourceData;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ddsls diagnose}: the cold-start and trace-connectivity reports of the functions in a source. */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
    description = {"Explains cold starts (phases, init hot frames, findings) and checks that traces connect across",
        "triggers. Sources: a directory (agent output, pprof/JFR, span exports, X-Ray exports, Lambda REPORT logs)",
        "a ddsls collect store (http://HOST:PORT) or Datadog's spans search (datadog). Exit: 0 ok, 2 usage, 3 source unavailable or unreadable."})
public final class DiagnoseCommand implements Callable<Integer> {
  @Option(names = "--source", paramLabel = "SRC", defaultValue = "http://127.0.0.1:8126",
      description = "DIR, http://HOST:PORT (ddsls collect) or datadog (DD_API_KEY, DD_APP_KEY, DD_SITE). Default: ${DEFAULT-VALUE}.")
  String source;

  @Option(names = "--profiles", paramLabel = "DIR|URL",
      description = "With --source datadog: where profiles come from (a directory or a ddsls collect URL).")
  String profiles;

  @Option(names = {"--service"}, description = "Only this service.") String service;
  @Option(names = {"--function"}, description = "Only this function (functionname).") String function;
  @Option(names = "--env", description = "Only spans with this env tag.") String env;
  @Option(names = "--since", paramLabel = "DURATION", description = "Window ending now: 30m, 1h, 2d.") String since;
  @Option(names = "--from", paramLabel = "ISO-8601") String from;
  @Option(names = "--to", paramLabel = "ISO-8601") String to;
  @Option(names = "--trace-id", paramLabel = "ID", description = "Only this trace (unsigned decimal).") String traceId;
  @Option(names = "--format", defaultValue = "text", description = "text, json, markdown, html. Default: ${DEFAULT-VALUE}.") String format;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report here instead of stdout.") java.nio.file.Path output;
  @Option(names = "--code", paramLabel = "JAR|ZIP|DIR",
      description = {"The function's deployment package (jar, zip or unpacked task root): the classes no bundled",
          "dependency brought are its own code. Default: the jar of a coldstart output directory, else the handler's package."})
  java.nio.file.Path code;
  @Option(names = "--quiet", description = "No progress on stderr.") boolean quiet;
  @Option(names = "--verbose", description = "Stack traces on errors.") boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (!List.of("text", "json", "markdown", "html").contains(format)) {
      throw Cli.Failure.usage("unknown --format " + format + ": text, json, markdown or html");
    }
    Query q = query();
    Source src = Source.of(source, profiles);
    SourceData data = new SourceData();
    src.fetch(q, data, Progress.forTerminal(quiet));
    if (code != null && !java.nio.file.Files.exists(code)) throw Cli.Failure.usage("--code " + code + ": no such file or directory");
    DiagnoseReport report = analyze(src.describe(), q, data, code);
    PrintWriter out = new PrintWriter(output == null ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
        : java.nio.file.Files.newBufferedWriter(output, StandardCharsets.UTF_8));
    switch (format) {
      case "html" -> HtmlReport.write(report, data.profiles, out);
      case "json" -> {
        JsonReport.write(report, out);
        out.println();
      }
      case "markdown" -> MarkdownReport.write(report, out);
      default -> TextReport.write(report, out, output == null && System.console() != null && System.getenv("NO_COLOR") == null);
    }
    if (output != null) out.close();
    else out.flush();
    return Cli.OK;
  }

  Query query() {
    Instant f = null, t = null;
    if (since != null) {
      if (from != null) throw Cli.Failure.usage("--since and --from exclude each other");
      t = Instant.now();
      f = t.minus(duration(since));
    }
    if (from != null) f = instant(from, "--from");
    if (to != null) t = instant(to, "--to");
    if (f != null && t != null && f.isAfter(t)) throw Cli.Failure.usage("--from is after --to");
    if (traceId != null) {
      try {
        Long.parseUnsignedLong(traceId);
      } catch (NumberFormatException e) {
        throw Cli.Failure.usage("--trace-id must be an unsigned decimal: " + traceId);
      }
    }
    return new Query(service, function, env, f, t, traceId);
  }

  static Duration duration(String s) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(s.trim());
    if (!m.matches()) throw Cli.Failure.usage("--since wants a number and s, m, h or d (e.g. 1h): " + s);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  static Instant instant(String s, String option) {
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e2) {
        throw Cli.Failure.usage(option + " must be ISO-8601, e.g. 2024-05-01T12:00:00Z: " + s);
      }
    }
  }

  /** Groups the data per function, then builds the reports. */
  static DiagnoseReport analyze(String sourceName, Query q, SourceData data, java.nio.file.Path code) {
    Predicate<Span> wanted = s -> (q.service() == null || q.service().equalsIgnoreCase(s.service()))
        && (q.function() == null || q.function().equalsIgnoreCase(s.function()))
        && (q.env() == null || q.env().equals(s.meta("env")))
        && (q.traceId() == null || Long.toUnsignedString(s.traceId()).equals(q.traceId()));
    Map<String, List<Span>> byFunction = new LinkedHashMap<>();
    Map<Long, String> functionOfSpan = new HashMap<>();
    int duplicates = 0;
    for (Span s : data.spans) {
      if (!s.isInvocation() || !wanted.test(s)) continue;
      // A tracer resends a batch whose answer it did not see in time; the store then holds the span twice.
      if (functionOfSpan.containsKey(s.spanId())) {
        duplicates++;
        continue;
      }
      String fn = s.function() == null ? s.service() : s.function();
      byFunction.computeIfAbsent(fn, k -> new ArrayList<>()).add(s);
      functionOfSpan.put(s.spanId(), fn);
    }
    Map<String, List<ProfileInput>> profiles = new LinkedHashMap<>();
    List<ProfileInput> unattributed = new ArrayList<>();
    for (ProfileInput p : data.profiles) {
      String fn = functionOf(p, functionOfSpan);
      if (fn != null) profiles.computeIfAbsent(fn, k -> new ArrayList<>()).add(p);
      else unattributed.add(p);
    }
    List<String> notes = new ArrayList<>(data.notes);
    if (duplicates > 0) notes.add(duplicates + " invocation spans received more than once were counted once");
    // Profiles without span ids (plain pprof or JFR files) belong to the only function there is, or to their own entry.
    if (!unattributed.isEmpty()) {
      if (byFunction.size() == 1) profiles.computeIfAbsent(byFunction.keySet().iterator().next(), k -> new ArrayList<>()).addAll(unattributed);
      else if (byFunction.isEmpty() && q.traceId() == null) profiles.put(q.function() != null ? q.function() : "(profiles)", unattributed);
      else notes.add(unattributed.size() + " profiles match no invocation span of the selected functions and were left out");
    }
    List<ColdStartReport> functions = new ArrayList<>();
    List<String> names = new ArrayList<>(byFunction.keySet());
    for (String fn : profiles.keySet()) if (!names.contains(fn)) names.add(fn);
    List<PlatformReport> reports = data.platformReports;
    if (!reports.isEmpty() && byFunction.isEmpty()) {
      String fn = q.function() != null ? q.function() : names.size() == 1 ? names.get(0) : "(platform logs)";
      if (!names.contains(fn)) names.add(fn);
    } else if (!reports.isEmpty()) {
      notes.add(reports.size() + " platform reports ignored: invocation spans give the same numbers");
    }
    for (String fn : names) {
      List<Span> spans = byFunction.getOrDefault(fn, List.of());
      String service = spans.isEmpty() ? fn : spans.get(0).service();
      String handler = ColdStartAnalyzer.handlerOf(spans);
      functions.add(ColdStartAnalyzer.analyze(fn, service, spans, byFunction.isEmpty() ? reports : List.of(),
          profiles.getOrDefault(fn, List.of()), handler, ownCode(code, handler, data, notes)));
    }
    ConnectivityReport connectivity = null;
    if (!byFunction.isEmpty()) connectivity = ConnectivityAnalyzer.analyze(data.spans, wanted, data.xraySegments);
    return new DiagnoseReport(sourceName, q.from(), q.to(), functions, connectivity, notes,
        new DiagnoseReport.Inputs(data.spans.size(), data.profiles.size(), reports.size(), data.xraySegments.size()));
  }

  /**
   * Own code from --code, else from the jar a coldstart run names for this handler; null (the handler's package)
   * when neither is there. A --code that cannot be read fails the run; a coldstart jar since moved is a note.
   */
  private static OwnCode ownCode(java.nio.file.Path code, String handler, SourceData data, List<String> notes) {
    if (handler == null && data.deploymentPackages.size() == 1) handler = data.deploymentPackages.keySet().iterator().next();
    java.nio.file.Path pkg = code != null ? code : handler == null ? null : data.deploymentPackages.get(handler);
    if (pkg == null) return null;
    try {
      return OwnCode.ofDeployment(pkg, handler);
    } catch (java.io.IOException e) {
      if (code != null) throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read --code " + e.getMessage());
      String note = "own code from the handler's package: cannot read the measured jar " + e.getMessage();
      if (!notes.contains(note)) notes.add(note);
      return null;
    }
  }

  private static String functionOf(ProfileInput p, Map<Long, String> functionOfSpan) {
    for (ProfileSample s : p.profile().samples()) {
      Long root = s.numLabels().get("local root span id");
      if (root == null) root = s.numLabels().get("span id");
      if (root != null) {
        String fn = functionOfSpan.get(root);
        if (fn != null) return fn;
      }
    }
    return null;
  }

  static String fmt(double v) { return String.format(Locale.ROOT, "%.1f", v); }
}
