package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code go tool pprof} (google/pprof's own parser and validator) reads what the agent writes, and vice versa. */
@Tag("e2e")
class GoPprofInteropTest {
  private static final Pattern SAMPLE = Pattern.compile("^\\s*(\\d+)\\s+(\\d+):((?: \\d+)*)\\s*$");
  private static final Pattern LABEL = Pattern.compile("^\\s+(.+?):\\[(.*)]\\s*$");
  private static final Pattern LOCATION = Pattern.compile("^\\s*(\\d+): 0x0 M=1 (\\S+) (\\S*):(\\d+) s=0\\s*$");

  @TempDir static Path dir;
  static Path file;

  @BeforeAll
  static void writeProfile() throws Exception {
    file = dir.resolve("agent.pb.gz");
    Files.write(file, TestProfiles.sample().encodeGzipped());
  }

  @Test
  void rawOutputShowsHeaderStacksLinesFilesAndLabels() throws Exception {
    String raw = PeerTools.runText(dir, PeerTools.go(), "tool", "pprof", "-raw", file.toString());
    assertTrue(raw.contains("PeriodType: cpu nanoseconds\n"), raw);
    assertTrue(raw.contains("Period: 10000000\n"), raw);
    assertTrue(raw.contains("Duration: 1.5s\n"), raw);
    assertTrue(raw.contains("Comment: service=rules-fn\nComment: runtime=java17\n"), raw);
    assertTrue(raw.contains("samples/count cpu/nanoseconds\n"), raw);
    assertTrue(raw.contains("[FN][FL][LN]"), raw); // the one mapping declares functions, files and lines

    List<String> expected = List.of(
        "3 30000000 | example.Rules.build example/Rules.java:42 < example.RulesHandler.handleRequest"
            + " example/RulesHandler.java:31 | {span id=101, thread name=main}",
        "2 20000000 | com.fasterxml.jackson.databind.ObjectMapper.readValue"
            + " com/fasterxml/jackson/databind/ObjectMapper.java:3817 < example.Rules.build example/Rules.java:57"
            + " < example.RulesHandler.handleRequest example/RulesHandler.java:31 | {span id=101, thread name=main}",
        "1 10000000 | com.fasterxml.jackson.databind.ObjectMapper.readValue"
            + " com/fasterxml/jackson/databind/ObjectMapper.java:3817 < example.Rules.build example/Rules.java:57"
            + " < example.RulesHandler.handleRequest example/RulesHandler.java:31 | {span id=202, thread name=main}",
        "5 50000000 | __libc_write :0 < com.fasterxml.jackson.databind.ObjectMapper.readValue"
            + " com/fasterxml/jackson/databind/ObjectMapper.java:3817 < example.RulesHandler.handleRequest"
            + " example/RulesHandler.java:31 | {thread name=ddsls-flush}");
    assertEquals(expected, parseRaw(raw), raw);
  }

  @Test
  void tagsOutputListsStringAndNumericLabels() throws Exception {
    String tags = PeerTools.runText(dir, PeerTools.go(), "tool", "pprof", "-tags", file.toString())
        .replaceAll("[ \\t]+", " ");
    assertTrue(tags.contains("span id: Total 60.0ms\n 50.0ms (83.33%): 101\n 10.0ms (16.67%): 202\n"), tags);
    assertTrue(tags.contains("thread name: Total 110.0ms\n 60.0ms (54.55%): main\n 50.0ms (45.45%): ddsls-flush\n"),
        tags);
  }

  @Test
  void readerDecodesGoReencodingOfTheProfile() throws Exception {
    // Go writes repeated fields unpacked when they hold at most two values, packed otherwise: both paths.
    byte[] reencoded = PeerTools.run(dir, PeerTools.go(), "tool", "pprof", "-proto", file.toString());
    Profile ours = PprofReader.read(file);
    Profile go = PprofReader.read(reencoded);
    assertEquals(ours.sampleTypes(), go.sampleTypes());
    assertEquals(ours.periodType(), go.periodType());
    assertEquals(ours.period(), go.period());
    assertEquals(ours.timeNanos(), go.timeNanos());
    assertEquals(ours.durationNanos(), go.durationNanos());
    assertEquals(ours.comments(), go.comments());
    assertEquals(4, go.samples().size());
    assertEquals(describe(ours), describe(go));
  }

  private static List<String> describe(Profile p) {
    List<String> out = new ArrayList<>();
    for (ProfileSample s : p.samples()) {
      out.add(s + " lines " + Arrays.toString(s.lines()));
    }
    out.sort(null);
    return out;
  }

  /** Go's -raw listing as "values | frame file:line < caller ... | {labels}" per sample. */
  private static List<String> parseRaw(String raw) {
    String[] lines = raw.split("\n");
    Map<String, String> locations = new HashMap<>();
    for (String line : lines) {
      Matcher m = LOCATION.matcher(line);
      if (m.matches()) locations.put(m.group(1), m.group(2) + " " + m.group(3) + ":" + m.group(4));
    }
    List<String> samples = new ArrayList<>();
    int i = 0;
    while (i < lines.length && !lines[i].equals("Samples:")) i++;
    for (i += 2; i < lines.length && !lines[i].startsWith("Locations"); ) {
      Matcher m = SAMPLE.matcher(lines[i++]);
      assertTrue(m.matches(), "unexpected sample line: " + lines[i - 1]);
      List<String> frames = new ArrayList<>();
      for (String id : m.group(3).trim().split(" ")) frames.add(locations.get(id));
      Map<String, String> labels = new TreeMap<>();
      Matcher l;
      while (i < lines.length && (l = LABEL.matcher(lines[i])).matches()) {
        labels.put(l.group(1).trim(), l.group(2));
        i++;
      }
      samples.add(m.group(1) + " " + m.group(2) + " | " + String.join(" < ", frames) + " | " + labels);
    }
    return samples;
  }
}
