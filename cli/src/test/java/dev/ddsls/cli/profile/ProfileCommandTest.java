package dev.ddsls.cli.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.cli.Chromium;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls profile top|flame|convert|diff} as processes, on agent profiles of real cold starts and on a JDK JFR
 * recording. Beside the suite's other classes: what each command prints is checked against the same profiles, read
 * in the test, and CPU samples count CPU time, which a busy neighbour does not change.
 */
@Tag("e2e")
@Order(2) // long: started early, so that short classes, not it, end the part that runs beside others
class ProfileCommandTest {
  @TempDir Path tmp;

  /** A coldstart run of the rules example with the agent; returns its cpu profiles. */
  private List<Path> cpuProfiles(String name, String eventJson) throws Exception {
    Path event = tmp.resolve(name + ".json");
    Files.writeString(event, eventJson);
    Path out = tmp.resolve(name);
    CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler",
        "example.RulesHandler::handleRequest", "--runs", "1", "--invocations", "3", "--agent", "on", "--event", event.toString(),
        "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    try (Stream<Path> files = Files.walk(out)) {
      List<Path> cpu = files.filter(f -> f.getFileName().toString().endsWith("-cpu.pb.gz")).sorted().collect(Collectors.toList());
      assertTrue(!cpu.isEmpty(), "no cpu profiles in " + out);
      return cpu;
    }
  }

  private CliProcess.Result ddsls(String... args) throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, args);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.stdout() + r.stderr());
    return r;
  }

  private static List<String> paths(List<Path> files, String... before) {
    List<String> out = new ArrayList<>(List.of(before));
    for (Path f : files) out.add(f.toString());
    return out;
  }

  /** Self cpu per leaf frame of the phase's samples, counted here without the analysis library's statistics. */
  private static Map<String, Long> selfByLeaf(List<Path> files, String phase) throws Exception {
    Map<String, Long> self = new HashMap<>();
    for (Path f : files) {
      Profile p = PprofReader.read(f);
      int cpu = p.valueIndex("cpu");
      for (ProfileSample s : p.samples()) {
        if (phase.equals(s.strLabel("phase")) && !s.stack().isEmpty()) self.merge(s.leaf(), s.value(cpu), Long::sum);
      }
    }
    return self;
  }

  /** Asserts that the first row names a frame with the largest value (ties may be ordered either way). */
  private static void assertFirstRowIsLargest(Map<String, Long> values, String out) {
    long max = values.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    String first = firstRowFrame(out);
    assertEquals(max, values.getOrDefault(first, Long.MIN_VALUE), first + " is not the largest (" + max + "): " + out);
  }

  /** The frame column of the first table row. */
  private static String firstRowFrame(String out) {
    String[] lines = out.split("\n");
    String[] cols = lines[2].trim().split("\\s+");
    return cols[cols.length - 1];
  }

  @Test
  void topFlameAndConvertOnAgentProfiles() throws Exception {
    List<Path> cpu = cpuProfiles("rules", "{\"rounds\": 40000}");

    CliProcess.Result top = ddsls(paths(cpu, "profile", "top", "--phase", "init", "--limit", "5").toArray(new String[0]));
    Map<String, Long> initSelf = selfByLeaf(cpu, "init");
    assertFirstRowIsLargest(initSelf, top.stdout());
    assertEquals(5, top.stdout().trim().split("\n").length - 2, top.stdout());
    CliProcess.Result invocation = ddsls(paths(cpu, "profile", "top", "--phase", "invocation", "--limit", "3").toArray(new String[0]));
    assertFirstRowIsLargest(selfByLeaf(cpu, "invocation"), invocation.stdout());

    // convert: pprof round trip keeps every init sample's value; collapsed sums to the same total.
    Path pb = tmp.resolve("init.pb.gz");
    ddsls(paths(cpu, "profile", "convert", "--phase", "init", "-o", pb.toString()).toArray(new String[0]));
    Profile converted = PprofReader.read(pb);
    long initTotal = initSelf.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(initTotal, converted.total(converted.valueIndex("cpu")));
    assertFalse(converted.samples().isEmpty(), "init samples converted");
    assertTrue(converted.samples().stream().allMatch(s -> "init".equals(s.strLabel("phase"))));
    assertTrue(converted.samples().stream().anyMatch(s -> s.stack().contains("example.Rules.build")
        && s.stack().indexOf("example.Rules.build") < s.stack().indexOf("example.RulesHandler.<clinit>")));
    Path collapsed = tmp.resolve("init.collapsed");
    ddsls(paths(cpu, "profile", "convert", "--phase", "init", "-o", collapsed.toString()).toArray(new String[0]));
    long sum = 0;
    boolean rootFirst = false;
    for (String line : Files.readAllLines(collapsed)) {
      sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
      rootFirst |= line.contains("example.RulesHandler.<clinit>;example.Rules.build");
    }
    assertEquals(initTotal, sum);
    assertTrue(rootFirst, "collapsed stacks run root to leaf");

    // flame: a page whose script labels the frames.
    Path html = tmp.resolve("flame.html");
    ddsls(paths(cpu, "profile", "flame", "--phase", "init", "-o", html.toString()).toArray(new String[0]));
    String dom = Chromium.dumpDom(html, tmp);
    Matcher m = Pattern.compile("data-name=\"example\\.Rules\\.build\"[^>]*><title>[^<]*</title><rect[^>]*>(?:</rect>)?<text[^>]*>([^<]*)<")
        .matcher(dom);
    assertTrue(m.find(), "flame graph has example.Rules.build");
    assertTrue(m.group(1).startsWith("example.Rules"), "label: " + m.group(1));
  }

  @Test
  void diffNamesTheFramesThatGrew() throws Exception {
    List<Path> before = cpuProfiles("small", "{}");
    List<Path> after = cpuProfiles("large", "{\"rounds\": 120000}");
    Path a = tmp.resolve("a.pb.gz"), b = tmp.resolve("b.pb.gz");
    ddsls(paths(before, "profile", "convert", "-o", a.toString()).toArray(new String[0]));
    ddsls(paths(after, "profile", "convert", "-o", b.toString()).toArray(new String[0]));
    Path html = tmp.resolve("diff.html");
    CliProcess.Result d = ddsls("profile", "diff", "--phase", "invocation", "--by", "self", "--limit", "3", a.toString(), b.toString(),
        "-o", html.toString());

    Map<String, Long> selfA = selfByLeaf(List.of(a), "invocation"), selfB = selfByLeaf(List.of(b), "invocation");
    Map<String, Long> growth = new HashMap<>();
    for (Map.Entry<String, Long> e : selfB.entrySet()) growth.put(e.getKey(), e.getValue() - selfA.getOrDefault(e.getKey(), 0L));
    assertFirstRowIsLargest(growth, d.stdout());
    // The per-invocation rule building is new in B: its frame is drawn red (share grew).
    String page = Files.readString(html);
    Matcher m = Pattern.compile("data-name=\"example\\.Rules\\.build\"[^>]*><title>[^<]*</title><rect[^>]*fill=\"rgb\\((\\d+),(\\d+),(\\d+)\\)\"")
        .matcher(page);
    assertTrue(m.find(), "diff graph has example.Rules.build");
    assertEquals(255, Integer.parseInt(m.group(1)));
    assertTrue(Integer.parseInt(m.group(3)) < 200, "clearly red: " + m.group());
    assertTrue(Chromium.dumpDom(html, tmp).contains("class=\"flame\""));
  }

  @Test
  void readsJfrRecordedByTheJdk() throws Exception {
    Path jfr = tmp.resolve("burn.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      r.start();
      long sink = 0, end = System.nanoTime() + 1_500_000_000L;
      while (System.nanoTime() < end) sink += burn(sink);
      r.stop();
      r.dump(jfr);
      assertTrue(sink != 42);
    }
    String frame = ProfileCommandTest.class.getName() + ".burn";
    CliProcess.Result top = ddsls("profile", "top", "--limit", "50", jfr.toString());
    assertTrue(top.stdout().contains(frame), top.stdout());
    assertTrue(top.stdout().startsWith("cpu samples of 1 profile"), top.stdout());
    Path pb = tmp.resolve("burn.pb.gz");
    ddsls("profile", "convert", "-o", pb.toString(), jfr.toString());
    Profile p = PprofReader.read(pb);
    assertTrue(p.samples().stream().anyMatch(s -> s.stack().contains(frame)), "converted JFR keeps the stacks");
    assertEquals(10_000_000L, p.period());
    Path html = tmp.resolve("burn.html");
    ddsls("profile", "flame", "-o", html.toString(), jfr.toString());
    assertTrue(Files.readString(html).contains("data-name=\"" + frame + "\""));
  }

  /** CPU work that stays in this frame (no calls to inline). */
  static long burn(long seed) {
    long x = seed | 1;
    for (int i = 0; i < 200_000; i++) x = x * 6364136223846793005L + 1442695040888963407L ^ (x >>> 17);
    return x & 1;
  }
}
