package dev.ddsls.cli.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the {@code ddsls coldstart} output directories inside a source are ({@code results.json}, schema
 * {@code ddsls.coldstart/v1}), so that diagnose reads them for what they are:
 * <ul>
 *   <li>an A/B run's candidate directory holds the baseline in {@code baseline/} and the discarded warm-up runs in
 *   {@code warmup/}: both are left out (same handler, so they would merge into the candidate's function), and a note
 *   says how to read the baseline;</li>
 *   <li>a run whose init never finished (init-error, or a timeout before init ended) measured no cold start: its
 *   files are left out (its samples would count as an init of the function) and a note names it and its error;
 *   runs whose invocations failed are named too;</li>
 *   <li>a run with {@code --agent off} has timings but no profiles or spans: a note says so, with its init p50;</li>
 *   <li>the unpacked package ({@code taskRoot}, the function's own files) is left out, and so is a SnapStart run whose
 *   restore failed (it served no invocation).</li>
 * </ul>
 */
final class ColdstartLayout {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SCHEMA = "ddsls.coldstart/v1";

  private final List<Path> leftOut = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private ColdstartLayout() {}

  /** @param files every file of the source, as {@code root.resolve(relative)} (or root itself for a single file) */
  static ColdstartLayout of(List<Path> files) {
    ColdstartLayout l = new ColdstartLayout();
    Map<Path, JsonNode> results = new LinkedHashMap<>();
    for (Path f : files) {
      if (!f.getFileName().toString().equals("results.json")) continue;
      JsonNode r = read(f);
      if (r != null && SCHEMA.equals(r.path("schema").asText())) results.put(f.getParent() != null ? f.getParent() : f.toAbsolutePath().getParent(), r);
    }
    // Sides first: a baseline inside a candidate is left out whole, notes and all.
    for (Map.Entry<Path, JsonNode> e : results.entrySet()) {
      if (e.getValue().path("ab").path("role").asText().equals("candidate")) l.candidate(e.getKey(), e.getValue().path("ab"));
    }
    for (Map.Entry<Path, JsonNode> e : results.entrySet()) {
      Path dir = e.getKey();
      JsonNode r = e.getValue();
      if (l.leftOut(dir)) continue;
      // The unpacked package (the function's own files: resources, jars, logs) is no output of the runs.
      String taskRoot = r.path("taskRoot").asText(null);
      if (taskRoot != null && !taskRoot.isBlank()) l.leftOut.add(dir.resolve(taskRoot).normalize());
      if (r.path("ab").path("role").asText().equals("baseline")) {
        Path candidate = dir.getParent() != null ? dir.getParent() : dir.toAbsolutePath().normalize().getParent();
        l.notes.add(dir + " is the baseline side of an A/B run (its candidate is " + candidate + ")");
      }
      l.runs(dir, r);
      if (!r.path("agent").asBoolean(true)) l.agentOff(dir, r);
    }
    return l;
  }

  /** Whether diagnose leaves the file out (paths as the directory walk gives them: the source joined with the relative path). */
  boolean leftOut(Path file) {
    for (Path p : leftOut) if (file.startsWith(p)) return true;
    return false;
  }

  List<String> notes() { return notes; }

  private void candidate(Path dir, JsonNode ab) {
    Path baseline = dir.resolve("baseline"), warmup = dir.resolve("warmup");
    boolean hasBaseline = Files.isDirectory(baseline);
    if (hasBaseline) leftOut.add(baseline);
    if (Files.isDirectory(warmup)) leftOut.add(warmup);
    notes.add(dir + " is an A/B run: this report is its candidate only"
        + (hasBaseline ? "; the baseline (" + baseline + ") and the warm-up runs are left out: diagnose the baseline with "
            + "--source " + baseline + ", compare with 'ddsls gate' or 'ddsls profile diff --before ... --after ...'"
            : " (its baseline was the existing results " + ab.path("pairedWith").asText() + ")"));
  }

  private void runs(Path dir, JsonNode r) {
    List<String> failedInit = new ArrayList<>(), failedLater = new ArrayList<>();
    int total = 0;
    for (JsonNode run : r.path("runs")) {
      total++;
      String status = run.path("status").asText("ok");
      if (status.equals("ok")) continue;
      String label = "run-" + run.path("run").asInt() + " " + status + error(run);
      // A SnapStart environment whose restore failed served no invocation: no cold start either.
      if (run.path("initMs").isNull() || run.path("initMs").isMissingNode() || status.equals("restore-error")) {
        failedInit.add(label);
        leftOut.add(dir.resolve("run-" + run.path("run").asInt()));
        for (JsonNode file : run.path("files")) leftOut.add(dir.resolve(file.asText()));
      } else {
        failedLater.add(label);
      }
    }
    if (!failedInit.isEmpty()) {
      notes.add(String.format(Locale.ROOT, "%s: init failed in %d of %d runs, left out (no cold start was measured): %s", dir,
          failedInit.size(), total, String.join("; ", failedInit)));
    }
    if (!failedLater.isEmpty()) {
      notes.add(String.format(Locale.ROOT, "%s: %d of %d runs started but an invocation failed (their init counts): %s", dir,
          failedLater.size(), total, String.join("; ", failedLater)));
    }
  }

  private void agentOff(Path dir, JsonNode r) {
    JsonNode p50 = r.path("summary").path("initMs").path("p50");
    notes.add(dir + " was measured with --agent off: it has timings (init p50 "
        + (p50.isNumber() ? String.format(Locale.ROOT, "%.1f ms", p50.asDouble()) : "-") + " over " + r.path("runs").size()
        + " runs, in results.json) but no profiles or spans to diagnose; run coldstart with --agent on");
  }

  /** The run's error, first line, short: enough to recognise it, the whole is in results.json. */
  private static String error(JsonNode run) {
    String e = run.path("error").asText("");
    if (e.isBlank() || run.path("error").isNull()) return "";
    String line = e.lines().findFirst().orElse("").strip();
    return " (" + (line.length() > 120 ? line.substring(0, 117) + "..." : line) + ")";
  }

  private static JsonNode read(Path f) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      return null; // not ours to judge: the directory reader reports broken JSON it needs
    }
  }
}
