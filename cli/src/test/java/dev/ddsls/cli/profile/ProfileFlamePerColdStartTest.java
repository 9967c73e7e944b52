package dev.ddsls.cli.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** {@code ddsls profile flame} over the profiles of five cold starts: per cold start with {@code --phase init}, sums without. */
@Tag("e2e")
class ProfileFlamePerColdStartTest {
  static final String LOAD = "com.acme.orders.Catalog.load", CLINIT = "com.acme.orders.Handler.<clinit>";

  @TempDir Path tmp;

  private String flame(List<String> files, String... options) throws Exception {
    Path html = tmp.resolve("flame-" + options.length + ".html");
    List<String> args = new ArrayList<>(List.of("profile", "flame", "-o", html.toString()));
    args.addAll(List.of(options));
    args.addAll(files);
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    return Files.readString(html);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void hoversPerColdStartWithPhaseInitAndSumsWithout() throws Exception {
    Path data = new ColdStartFixture("orders").onCpu(820, LOAD, CLINIT).write(tmp.resolve("data"), 5, 101);
    List<String> files;
    try (Stream<Path> s = Files.walk(data)) {
      files = s.map(Path::toString).filter(f -> f.endsWith("-cpu.pb.gz")).sorted().collect(Collectors.toList());
    }
    String perColdStart = flame(files, "--phase", "init");
    assertTrue(perColdStart.contains("<title>" + LOAD + " - 820.0 ms per cold start (100.0 %), self 820.0 ms per cold start; "
        + "sum over 5 cold starts 4,100.0 ms</title>"), perColdStart);
    assertTrue(perColdStart.contains("hover values per cold start (5 cold starts)"), "the page says what the values are");
    String sums = flame(files);
    assertTrue(sums.contains("<title>" + LOAD + " - 4,100.0 ms (100.0 %), self 4,100.0 ms</title>"), sums);
    assertTrue(sums.contains("hover values are sums over the files"));
  }
}
