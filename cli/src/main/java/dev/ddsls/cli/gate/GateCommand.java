package dev.ddsls.cli.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ddsls.analysis.gate.BenchmarkJson;
import dev.ddsls.analysis.gate.Gate;
import dev.ddsls.analysis.gate.GateConfig;
import dev.ddsls.analysis.gate.GateDocument;
import dev.ddsls.analysis.gate.GateResult;
import dev.ddsls.analysis.gate.GateSettings;
import dev.ddsls.analysis.gate.GateTable;
import dev.ddsls.analysis.gate.GithubAnnotations;
import dev.ddsls.analysis.gate.InitProfileDiff;
import dev.ddsls.analysis.gate.InputException;
import dev.ddsls.analysis.gate.JunitXml;
import dev.ddsls.analysis.gate.Level;
import dev.ddsls.analysis.gate.MarkdownSummary;
import dev.ddsls.analysis.gate.Regression;
import dev.ddsls.analysis.gate.RuleException;
import dev.ddsls.analysis.gate.Threshold;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.Verbose;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Passes or fails a CI job on cold-start results (ddsls.coldstart/v1) or a diagnose report (ddsls.diagnose/v1):"
            + " thresholds such as 'init.p90<1500ms' and statistical regressions against a baseline such as 'init.p50:10%%'.",
        "Metrics and grammar: docs/ci.md. A rule naming an unknown metric is an error; too little data for a claim"
            + " is 'insufficient data' and counts at the rule's level, never as a pass.",
        "Exit codes: 0 passed (warnings allowed), 1 gate failed, 2 usage or config error, 3 data unavailable."})
public final class GateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--results", required = true, paramLabel = "FILE", description = "The candidate: results.json or a diagnose JSON report.")
  Path results;

  @Option(names = "--baseline", paramLabel = "FILE", description = "The baseline document, same schema (needed by --max-regression).")
  Path baseline;

  @Option(names = "--config", paramLabel = "FILE", description = "Rules and settings, JSON or YAML (.yaml/.yml).")
  Path config;

  @Option(names = "--threshold", paramLabel = "EXPR", description = "[warn:|error:]metric.aggregation OP value[ms|s|%%], e.g. 'init.p90<1500ms'; repeatable. Level error unless given.")
  List<String> thresholds = new ArrayList<>();

  @Option(names = "--max-regression", paramLabel = "EXPR", description = "[warn:|error:]metric[.p(N)|.med|.avg]:N%%, e.g. 'init.p50:10%%'; repeatable.")
  List<String> regressions = new ArrayList<>();

  @Option(names = "--alpha", paramLabel = "P", description = "Significance level of the Mann-Whitney test. Default: 0.05 (or the config's).")
  Double alpha;

  @Option(names = "--confidence", paramLabel = "C", description = "Confidence level of the bootstrap interval. Default: 0.95.")
  Double confidence;

  @Option(names = "--resamples", paramLabel = "N", description = "Bootstrap resamples. Default: 10000.")
  Integer resamples;

  @Option(names = "--seed", paramLabel = "N", description = "Bootstrap seed. Default: 1.")
  Long seed;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write JUnit XML, one testcase per rule.")
  Path junit;

  @Option(names = "--json", paramLabel = "FILE", description = "Write github-action-benchmark customSmallerIsBetter JSON.")
  Path json;

  @Option(names = "--markdown", paramLabel = "FILE", description = "Write the Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set).")
  Path markdown;

  @Mixin Verbose verbose;

  @Override public Integer call() {
    long started = System.nanoTime();
    GateConfig cfg = config();
    GateDocument candidate = read(results, "results");
    GateDocument base = baseline == null ? null : read(baseline, "baseline");
    GateResult result;
    try {
      result = Gate.evaluate(cfg, candidate, base);
    } catch (RuleException e) {
      throw Cli.Failure.usage(e.getMessage());
    } catch (InputException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, e.getMessage());
    }
    result = InitProfileDiff.attach(result, candidate, base);

    PrintStream out = System.out;
    out.print(GateTable.render(result));
    Map<String, String> env = System.getenv();
    if ("true".equals(env.get("GITHUB_ACTIONS"))) {
      for (String line : GithubAnnotations.render(result)) out.println(line);
    }
    String md = MarkdownSummary.render(result);
    String summary = env.get("GITHUB_STEP_SUMMARY");
    if (summary != null && !summary.isBlank()) write(Path.of(summary), md, true);
    if (markdown != null) write(markdown, md, false);
    if (json != null) write(json, BenchmarkJson.render(result), false);
    if (junit != null) {
      Map<String, String> props = new LinkedHashMap<>();
      props.put("schema", result.schema());
      props.put("results", results.toString());
      if (baseline != null) props.put("baseline", baseline.toString());
      GateSettings s = cfg.settings();
      props.put("alpha", String.valueOf(s.alpha()));
      props.put("confidence", String.valueOf(s.confidence()));
      props.put("resamples", String.valueOf(s.resamples()));
      props.put("seed", String.valueOf(s.seed()));
      write(junit, JunitXml.render(result, props, LocalDateTime.now().withNano(0), hostname(),
          (System.nanoTime() - started) / 1e9), false);
    }
    return result.passed() ? Cli.OK : Cli.FAILED;
  }

  private GateConfig config() {
    try {
      GateConfig cfg = config == null ? GateConfig.empty() : GateConfig.fromJson(readConfig(config));
      List<Threshold> t = new ArrayList<>();
      for (String s : thresholds) t.add(Threshold.parse(s, Level.ERROR));
      List<Regression> r = new ArrayList<>();
      for (String s : regressions) r.add(Regression.parse(s, Level.ERROR));
      GateSettings d = cfg.settings();
      GateSettings s = new GateSettings(alpha != null ? alpha : d.alpha(), confidence != null ? confidence : d.confidence(),
          resamples != null ? resamples : d.resamples(), seed != null ? seed : d.seed());
      return cfg.plus(t, r).with(s);
    } catch (RuleException e) {
      throw Cli.Failure.usage(e.getMessage());
    }
  }

  private static JsonNode readConfig(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new YAMLMapper() : JSON;
    try {
      return mapper.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw Cli.Failure.usage("config " + file + " is not valid " + (mapper == JSON ? "JSON" : "YAML") + ": "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw Cli.Failure.usage("cannot read config " + file + ": " + describe(e));
    }
  }

  private static GateDocument read(Path file, String what) {
    try {
      JsonNode root = JSON.readTree(file.toFile());
      Path dir = file.toAbsolutePath().getParent();
      return GateDocument.parse(root, dir);
    } catch (JsonProcessingException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, what + " " + file + " is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read " + what + " " + file + ": " + describe(e));
    } catch (InputException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, what + " " + file + ": " + e.getMessage());
    }
  }

  private static void write(Path file, String text, boolean append) {
    try {
      if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new Cli.Failure(Cli.FAILED, "cannot write " + file + ": " + describe(e));
    }
  }

  private static String describe(IOException e) {
    return e instanceof NoSuchFileException ? "no such file" : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** From the environment only: a name lookup could block on DNS in a sandboxed runner. */
  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    return h == null || h.isBlank() ? "localhost" : h;
  }
}
