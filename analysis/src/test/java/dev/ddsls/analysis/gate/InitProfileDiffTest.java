package dev.ddsls.analysis.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.formats.pprof.ProfileBuilder;
import dev.ddsls.formats.pprof.ProfileBuilder.Label;
import dev.ddsls.formats.pprof.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitProfileDiffTest {
  static final long MS = 1_000_000;
  static final Frame MAIN = new Frame("com.amazonaws.services.lambda.runtime.api.client.AWSLambda", "main", 1);
  static final Frame HANDLER_INIT = new Frame("example.OrdersHandler", "<clinit>", 10);
  static final Frame RULES = new Frame("example.rules.Rules", "build", 42);
  static final Frame JACKSON = new Frame("com.fasterxml.jackson.databind.ObjectMapper", "<init>", 600);
  static final Frame HANDLE = new Frame("example.OrdersHandler", "handleRequest", 20);

  @TempDir Path tmp;

  /** One run's agent output: an init CPU profile (plus invoke samples and a wall profile that must not count). */
  static void writeRun(Path runDir, long rulesMs, long jacksonMs) throws Exception {
    Files.createDirectories(runDir);
    ProfileBuilder cpu = new ProfileBuilder(new String[][] {{"samples", "count"}, {"cpu", "nanoseconds"}}, "cpu", "nanoseconds", 10 * MS);
    cpu.addSample(new Frame[] {RULES, HANDLER_INIT, MAIN}, new long[] {rulesMs / 10, rulesMs * MS}, Label.str("phase", "init"));
    cpu.addSample(new Frame[] {JACKSON, HANDLER_INIT, MAIN}, new long[] {jacksonMs / 10, jacksonMs * MS}, Label.str("phase", "init"));
    cpu.addSample(new Frame[] {RULES, HANDLE, MAIN}, new long[] {50, 500 * MS}, Label.str("phase", "invoke"));
    Files.write(runDir.resolve("profile-0001-cpu.pb.gz"), cpu.encodeGzipped());
    ProfileBuilder wall = new ProfileBuilder(new String[][] {{"samples", "count"}, {"wall", "nanoseconds"}}, "wall", "nanoseconds", 10 * MS);
    wall.addSample(new Frame[] {RULES, HANDLER_INIT, MAIN}, new long[] {900, 9000 * MS}, Label.str("phase", "init"));
    Files.write(runDir.resolve("profile-0001-wall.pb.gz"), wall.encodeGzipped());
    Files.writeString(runDir.resolve("event-0001.json"), "{}");
  }

  GateDocument results(String name, double[] init, long rulesMs, long jacksonMs) throws Exception {
    Path dir = tmp.resolve(name);
    ObjectNode root = Docs.coldstart(init);
    for (int i = 0; i < init.length; i++) {
      String run = "run-" + (i + 1);
      writeRun(dir.resolve(run), rulesMs, jacksonMs);
      ObjectNode r = (ObjectNode) root.get("runs").get(i);
      r.putArray("files").add(run + "/profile-0001-cpu.pb.gz").add(run + "/profile-0001-wall.pb.gz").add(run + "/event-0001.json");
    }
    return GateDocument.parse(root, dir);
  }

  @Test
  void failedInitRegressionNamesTheFramesAndPackagesThatGrew() throws Exception {
    GateDocument base = results("base", Docs.normal(10, 800, 20, 1), 100, 200);
    GateDocument cand = results("cand", Docs.normal(10, 1100, 20, 2), 400, 210);
    GateConfig cfg = GateConfig.empty().plus(List.of(Threshold.parse("init.max<5s", Level.ERROR)),
        List.of(Regression.parse("init.p50:10%", Level.ERROR)));
    GateResult r = InitProfileDiff.attach(Gate.evaluate(cfg, cand, base), cand, base);
    assertEquals("", r.outcomes().get(0).detail(), "passing thresholds get no diff");
    Outcome reg = r.outcomes().get(1);
    assertEquals(Outcome.Verdict.FAIL, reg.verdict());
    String d = reg.detail();
    assertTrue(d.startsWith("init CPU per cold start (self time; profiles of 10 baseline and 10 candidate runs)"), d);
    assertTrue(d.contains("packages: example.rules +300.0 ms (100.0 -> 400.0); com.fasterxml.jackson +10.0 ms (200.0 -> 210.0)"), d);
    assertTrue(d.contains("frames: example.rules.Rules.build +300.0 ms (100.0 -> 400.0); com.fasterxml.jackson.databind.ObjectMapper.<init> +10.0 ms"), d);
    assertTrue(GateTable.render(r).contains("  packages: example.rules +300.0 ms"), GateTable.render(r));
  }

  @Test
  void unreadableProfilesAreCountedNotFatal() throws Exception {
    Path bad = Files.writeString(tmp.resolve("profile-0009-cpu.pb.gz"), "not a profile");
    writeRun(tmp.resolve("b1"), 100, 100);
    writeRun(tmp.resolve("c1"), 150, 100);
    InitProfileDiff.Diff d = InitProfileDiff.compare(List.of(tmp.resolve("b1/profile-0001-cpu.pb.gz"), bad),
        List.of(tmp.resolve("c1/profile-0001-cpu.pb.gz")), 5);
    assertEquals(1, d.unreadable());
    assertEquals(1, d.baselineRuns());
    assertEquals("example.rules.Rules.build", d.frames().get(0).name());
    assertEquals(50.0, d.frames().get(0).deltaMs(), 1e-9);
    assertEquals(1, d.frames().size(), "jackson did not grow");
  }
}
