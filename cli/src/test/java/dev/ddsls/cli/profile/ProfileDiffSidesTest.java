package dev.ddsls.cli.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.Chromium;
import dev.ddsls.cli.CliProcess;
import dev.ddsls.cli.diagnose.ColdStartFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls profile diff --before FILE... --after FILE...} on agent-format profiles of 5 and 3 cold starts
 * ({@link ColdStartFixture}): values per cold start, ranked by the change of total, the frames gone from B listed.
 */
@Tag("e2e")
class ProfileDiffSidesTest {
  static final String CLINIT = "com.acme.orders.Handler.<clinit>", LOAD = "com.acme.orders.Catalog.load",
      INDEX = "com.acme.orders.Catalog.index", PRICES = "com.acme.orders.pricing.PriceTable.compile";

  @TempDir Path tmp;

  private List<String> cpuFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(Path::toString).filter(f -> f.endsWith("-cpu.pb.gz")).sorted().collect(Collectors.toList());
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void severalFilesPerSideRankedByTotalPerColdStartWithWhatDisappeared() throws Exception {
    Path before = new ColdStartFixture("orders").onCpu(820, LOAD, CLINIT).onCpu(240, PRICES, CLINIT).write(tmp.resolve("a"), 5, 101);
    Path after = new ColdStartFixture("orders").onCpu(400, LOAD, CLINIT).onCpu(300, INDEX, LOAD, CLINIT).write(tmp.resolve("b"), 3, 201);
    List<String> args = new ArrayList<>(List.of("profile", "diff", "--phase", "init", "--before"));
    args.addAll(cpuFiles(before));
    args.add("--after");
    args.addAll(cpuFiles(after));
    Path html = tmp.resolve("diff.html");
    args.addAll(List.of("-o", html.toString()));
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stdout() + r.stderr());

    String[] lines = r.stdout().split("\n");
    assertTrue(lines[0].startsWith("A: cpu samples of 5 profiles, phase=init, 5,300.0 ms over 5 cold starts: 1,060.0 ms per cold start; "
        + "B: cpu samples of 3 profiles, phase=init, 2,100.0 ms over 3 cold starts: 700.0 ms per cold start"), lines[0]);
    assertTrue(lines[1].contains("(values per cold start)"), lines[1]);
    // Grown first, then shrunk, each by the change of total per cold start; the caller whose callee grew is there too.
    assertEquals(List.of("+300.0 ms|0.0 ms|300.0 ms|new|" + INDEX, "-360.0 ms|1,060.0 ms|700.0 ms||" + CLINIT,
        "-120.0 ms|820.0 ms|700.0 ms||" + LOAD), List.of(row(lines[2]), row(lines[3]), row(lines[4])));
    int gone = r.stdout().indexOf("gone from B");
    assertTrue(gone > 0, r.stdout());
    assertTrue(r.stdout().substring(gone).matches("(?s).*\\n\\s+240\\.0 ms\\s+240\\.0 ms\\s+" + PRICES.replace(".", "\\.") + "\\n.*"),
        r.stdout());

    String dom = Chromium.dumpDom(html, tmp);
    assertTrue(dom.contains("Gone from B (in A only, not drawn): " + PRICES + " 240.0 ms per cold start."), "the page names the gone frame");
    assertTrue(dom.contains("<title>" + INDEX + " - 300.0 ms per cold start (42.9 %), self 300.0 ms per cold start; sum over 3 cold starts "
        + "900.0 ms; before 0.0 ms per cold start (0.0 %)</title>"), "hover per cold start on both sides");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sidesGivenWrongAreOneUsageLine() throws Exception {
    Path a = new ColdStartFixture("orders").onCpu(100, LOAD, CLINIT).write(tmp.resolve("a"), 1, 1);
    String file = cpuFiles(a).get(0);
    for (String[] args : List.of(new String[] {"profile", "diff", file}, new String[] {"profile", "diff", "--before", file},
        new String[] {"profile", "diff", file, file, "--after", file}, new String[] {"profile", "diff", "--by", "name", file, file})) {
      CliProcess.Result r = CliProcess.run(tmp, args);
      assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
      assertTrue(r.stderr().startsWith("ddsls: "), r.stderr());
    }
  }

  /** The columns change, total A, total B, status and frame of a table row (fixed widths: 12, 12, 12, 12, 12, 4), joined by |. */
  private static String row(String line) {
    return String.join("|", line.substring(0, 12).strip(), line.substring(13, 25).strip(), line.substring(26, 38).strip(),
        line.substring(65, 69).strip(), line.substring(71));
  }
}
