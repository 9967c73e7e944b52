package dev.ddsls.cli.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.analysis.coldstart.PlatformLogReader;
import dev.ddsls.analysis.diagnose.Query;
import dev.ddsls.analysis.diagnose.SourceData;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.priming.ClassList;
import dev.ddsls.analysis.profile.ProfileFormat;
import dev.ddsls.analysis.profile.ProfileNotes;
import dev.ddsls.analysis.profile.ProfileReader;
import dev.ddsls.analysis.trace.SpanReader;
import dev.ddsls.analysis.trace.XRaySegment;
import dev.ddsls.cli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory (searched recursively) or one file: the agent's output ({@code profile-*-cpu.pb.gz}, {@code spans-*.jsonl};
 * so a {@code ddsls coldstart --out DIR} works), profiles (pprof or JFR, any compression, recognised by content:
 * {@link ProfileReader#isProfile}), span exports
 * (JSON lines or the Datadog spans API's JSON), {@code aws xray batch-get-traces} output, and Lambda's platform
 * records (CloudWatch {@code REPORT}/{@code INIT_REPORT} lines, JSON logs, Telemetry API events) in {@code .log},
 * the agent's first-invocation class lists ({@code first-invocation-classes-*.tsv}, for priming),
 * {@code .txt}, {@code .json} and {@code .jsonl} files. Other files (the agent's profile event JSON, coldstart's
 * results.json and invocations.jsonl) are skipped; one file named alone that is none of these fails the run, and a
 * directory where every file is none gets a note. A file that claims a format and breaks it fails the run (exit 3)
 * naming the file.
 */
public final class DirectorySource implements Source {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What {@link #read} recognises, for the line that says a file is none of it. */
  private static final String INPUTS = "pprof or JFR profiles, span or X-Ray exports in .json/.jsonl, Lambda platform "
      + "records in .log/.txt, first-invocation class lists";
  private final Path root;
  private final Map<String, Integer> packageDepth = new HashMap<>();
  private final ProfileNotes profileNotes = new ProfileNotes();

  public DirectorySource(Path root) { this.root = root; }

  @Override public String describe() { return root.toString(); }

  @Override
  public void fetch(Query q, SourceData into, Progress progress) throws IOException {
    List<Path> files = new ArrayList<>();
    // Walk the real path: Files.walk does not descend into a root that is a symbolic link to a directory.
    Path real = root.toRealPath();
    try (Stream<Path> s = Files.walk(real)) {
      s.filter(Files::isRegularFile).sorted().forEach(f -> files.add(real.equals(f) ? root : root.resolve(real.relativize(f))));
    }
    ColdstartLayout layout = ColdstartLayout.of(files); // A/B sides, failed inits, --agent off: see there
    files.removeIf(layout::leftOut);
    into.notes.addAll(layout.notes());
    int done = 0;
    List<Path> skipped = new ArrayList<>();
    for (Path f : files) {
      if (!read(f, q, into)) skipped.add(f);
      progress.update("reading " + root + ": " + (++done) + "/" + files.size() + " files, " + into.spans.size() + " spans, "
          + into.profiles.size() + " profiles");
    }
    into.notes.addAll(profileNotes.lines());
    progress.done();
    if (!skipped.isEmpty() && Files.isRegularFile(root)) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read " + root + ": not an input diagnose reads (" + INPUTS + ")");
    }
    if (!skipped.isEmpty() && skipped.size() == files.size()) {
      into.notes.add("none of the " + files.size() + " files under " + root + " is an input diagnose reads (" + INPUTS
          + "); the first: " + root.relativize(skipped.get(0)));
    }
  }

  /** Reads {@code f} into {@code into}; false when it is none of the inputs diagnose reads (by content or name). */
  private boolean read(Path f, Query q, SourceData into) throws IOException {
    String name = f.getFileName().toString();
    String id = root.equals(f) ? name : root.relativize(f).toString();
    try {
      if (ProfileReader.isProfile(f)) {
        ProfileReader.Read r = ProfileReader.read(f, id);
        for (ProfileInput p : r.inputs()) if (q.inWindow(p.profile().timeNanos())) into.profiles.add(p);
        profileNotes.add(r);
        noteJfr(r, into);
      } else if (ClassList.isClassList(name)) {
        try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          into.classLists.add(ClassList.read(in, id));
        }
      } else if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
        json(f, id, q, into);
      } else if (name.endsWith(".log") || name.endsWith(".txt")) {
        try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
          into.platformReports.addAll(PlatformLogReader.read(in, id));
        }
      } else {
        return false;
      }
      return true;
    } catch (CharacterCodingException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read " + id + ": not UTF-8 text (" + e.getClass().getSimpleName() + ")", e);
    } catch (IOException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read " + (m.contains(id) || m.contains(f.toString()) ? m : id + ": " + m), e);
    } catch (Cli.Failure e) {
      throw e;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      throw Cli.unreadable(id, e);
    }
  }

  /** Adds {@link #JFR_NOTE} once to a report that reads a JFR recording, whichever source it came from. */
  static void noteJfr(ProfileReader.Read r, SourceData into) {
    if (r.format() == ProfileFormat.JFR && !into.notes.contains(JFR_NOTE)) into.notes.add(JFR_NOTE);
  }

  static final String JFR_NOTE = "JFR recordings carry no phase labels: every sample of a recording without spans is counted "
      + "as init (record the cold start only, e.g. -XX:StartFlightRecording with a short duration); a traced recording "
      + "(dd-trace-java's) is a running service's, its samples with a span are requests, never a cold start";

  private void json(Path f, String id, Query q, SourceData into) throws IOException {
    String first;
    try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      first = in.readLine();
      while (first != null && first.isBlank()) first = in.readLine();
    }
    if (first == null) return;
    String t = first.strip();
    if (t.startsWith("{") && t.contains("\"platform.")) {
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        into.platformReports.addAll(PlatformLogReader.read(in, id));
      }
      return;
    }
    boolean lines = f.getFileName().toString().endsWith("l") || (t.startsWith("{") && t.endsWith("}") && isJson(t));
    JsonNode probe = lines ? JSON.readTree(t) : readWhole(f, id);
    if (probe == null) return;
    if (XRaySegment.isExport(probe)) {
      into.xraySegments.addAll(XRaySegment.read(probe));
      return;
    }
    if (probe.has("events") && probe.get("events").isArray()) { // CloudWatch export
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        into.platformReports.addAll(PlatformLogReader.read(in, id));
      }
      return;
    }
    if ("ddsls.coldstart/v1".equals(probe.path("schema").asText())) {
      deploymentPackage(probe, id, into);
      return;
    }
    if (!SpanReader.looksLikeSpans(probe)) return; // profile event, invocations.jsonl, ...
    try (InputStream in = Files.newInputStream(f)) {
      SpanReader.read(in, id, s -> {
        if (q.inWindow(s.start())) into.spans.add(s);
      });
    }
  }

  /**
   * The jar a coldstart run measured, by handler; the outermost results.json wins (an A/B directory's baseline lies
   * below the candidate's).
   */
  private void deploymentPackage(JsonNode results, String id, SourceData into) {
    String handler = results.path("handler").asText(null), jar = results.path("jar").asText(null);
    if (handler == null || jar == null) return;
    int depth = id.split("[/\\\\]").length;
    Integer seen = packageDepth.get(handler);
    if (seen != null && seen <= depth) return;
    packageDepth.put(handler, depth);
    into.deploymentPackages.put(handler, Path.of(jar));
  }

  private static boolean isJson(String line) {
    try {
      JSON.readTree(line);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static JsonNode readWhole(Path f, String id) throws IOException {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      throw new IOException(id + ": truncated or invalid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }
}
