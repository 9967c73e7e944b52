package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The priming list from end to end on a function built from real libraries (Jackson and Log4j2 set up on the first
 * request): {@code coldstart --snapstart} with the agent, {@code diagnose --priming} writes the classesloaded.txt that
 * names the classes the first invocation after the restore loaded, and the function's own beforeCheckpoint hook
 * ({@code example.invoice.ClassPriming}, as Powertools' ClassPreLoader) loads them before the next snapshot. What it
 * saves is measured by bench/priming.sh (docs/benchmarks.md), not here.
 */
@Tag("e2e")
class ClassPrimingTest {
  static final String HANDLER = "example.invoice.PrimedInvoiceHandler::handleRequest";

  @TempDir Path tmp;

  @Test
  void theListNamesTheFirstInvocationsClassesAndTheHookLoadsThemBeforeTheSnapshot() throws Exception {
    Path jar = Path.of("target", "examples", "ddsls-example-jackson-log4j2.jar").toAbsolutePath();
    Path event = tmp.resolve("event.json");
    Files.writeString(event, "{\"customer\":\"c-1001\",\"lines\":3}");
    CliProcess.Result list = CliProcess.run(tmp, "coldstart", "--jar", jar.toString(), "--handler", HANDLER, "--snapstart",
        "--runs", "1", "--invocations", "2", "--agent", "on", "--event", event.toString(), "--out", tmp.resolve("list").toString());
    assertEquals(0, list.exit(), list.stdout() + list.stderr());
    CliProcess.Result d = CliProcess.run(tmp, "diagnose", "--source", tmp.resolve("list").toString(), "--priming", tmp.resolve("priming").toString());
    assertEquals(0, d.exit(), d.stdout() + d.stderr());
    Path txt;
    try (Stream<Path> files = Files.walk(tmp.resolve("priming"))) {
      txt = files.filter(p -> p.getFileName().toString().equals("classesloaded.txt")).findFirst().orElseThrow();
    }
    List<String> classes = Files.readAllLines(txt).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    // Built on the first request, so first loaded after the restore: the mapper and the logging framework.
    assertTrue(classes.contains("com.fasterxml.jackson.databind.json.JsonMapper"), classes.size() + " classes");
    assertTrue(classes.stream().anyMatch(c -> c.startsWith("org.apache.logging.log4j.core.")), classes.size() + " classes");
    assertTrue(classes.stream().noneMatch(c -> c.startsWith("dev.ddsls.")), "the agent's own classes are not the function's to prime");

    CliProcess.Result primed = CliProcess.run(tmp, "coldstart", "--jar", jar.toString(), "--handler", HANDLER, "--snapstart",
        "--runs", "1", "--invocations", "2", "--agent", "off", "--event", event.toString(), "--env", "PRIMING_CLASSES=" + txt,
        "--out", tmp.resolve("primed").toString());
    assertEquals(0, primed.exit(), primed.stdout() + primed.stderr());
    String log = Files.readString(tmp.resolve("primed").resolve("run-1").resolve("stdout.log"));
    Matcher m = Pattern.compile("class priming: (\\d+) classes loaded").matcher(log);
    assertTrue(m.find(), log);
    assertTrue(Integer.parseInt(m.group(1)) > classes.size() / 2, "most of the list loads before the snapshot: " + m.group());
  }
}
