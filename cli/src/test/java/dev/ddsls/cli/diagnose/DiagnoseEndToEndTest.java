package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The acceptance path: the agent profiles example handlers with planted causes under {@code ddsls coldstart} (real
 * JVMs, the real runtime interface client), and {@code ddsls diagnose} reads the output directory back. Connectivity,
 * which host contention does not change, is in {@link ConnectivityEndToEndTest}.
 */
@Tag("e2e")
@Isolated("diagnoses a CPU-bound init: beside another JVM it is also found CPU-starved")
class DiagnoseEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static Path coldstart(Path tmp, String name, String handler, String eventJson, int runs, int invocations) throws Exception {
    Path event = tmp.resolve(name + "-event.json");
    Files.writeString(event, eventJson);
    Path out = tmp.resolve("data").resolve(name);
    CliProcess.Result r = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler", handler,
        "--runs", Integer.toString(runs), "--invocations", Integer.toString(invocations), "--agent", "on", "--event", event.toString(),
        "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    return out;
  }

  static JsonNode diagnose(Path tmp, Path source, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("diagnose", "--source", source.toString(), "--format", "json"));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stderr());
    JsonNode report = JSON.readTree(r.stdout());
    assertEquals("ddsls.diagnose/v1", report.get("schema").asText());
    return report;
  }

  @Test
  void namesThePlantedCauseAsTopFindingAndLeavesTheHealthyFunctionAlone() throws Exception {
    coldstart(tmp, "rules", "example.RulesHandler::handleRequest", "{}", 2, 2);
    coldstart(tmp, "waiting", "example.WaitingInitHandler::handleRequest", "{}", 1, 2);
    coldstart(tmp, "hello", "example.HelloHandler::handleRequest", "{}", 1, 2);

    JsonNode rules = diagnose(tmp, tmp.resolve("data/rules")).get("functions").get(0);
    assertEquals("ruleshandler", rules.get("function").asText());
    assertEquals(4, rules.get("invocations").asInt());
    assertEquals(2, rules.get("coldStarts").asInt());
    assertEquals(2, rules.get("initMs").get("n").asInt());
    JsonNode top = rules.get("findings").get(0);
    assertEquals("init-cpu-hotspot", top.get("id").asText(), rules.get("findings").toString());
    assertEquals("example.Rules.build", top.get("evidence").get("frame").asText());
    assertEquals(2, top.get("evidence").get("coldStartSpanIds").size(), "evidence names the cold invocations");
    assertFalse(top.get("evidence").get("profileIds").isEmpty(), "evidence names the profiles");

    JsonNode waiting = diagnose(tmp, tmp.resolve("data/waiting")).get("functions").get(0);
    JsonNode w = waiting.get("findings").get(0);
    assertEquals("init-off-cpu", w.get("id").asText(), waiting.get("findings").toString());
    assertEquals("example.Secrets.fetch", w.get("evidence").get("frame").asText());
    assertTrue(w.get("evidence").get("waitingIn").asText().startsWith("java.lang.Thread.sleep"), w.toString());
    assertTrue(w.get("evidence").get("offCpuMs").asDouble() >= 400, w.toString());

    JsonNode hello = diagnose(tmp, tmp.resolve("data/hello")).get("functions").get(0);
    // Nothing blames the healthy function's code. The one finding its init may get, when the machine makes the runtime
    // client's own start slow, is the runtime's serialisation (its bundled Jackson building the converters of the
    // handler's types, seen once on a fresh-clone CI run at 150 ms): a cost of a RequestHandler, whose advice is the
    // handler's type, never a mapper the function does not have.
    for (JsonNode f : hello.get("findings")) {
      assertEquals("runtime-serialization", f.get("id").asText(), hello.get("findings").toString());
      assertFalse(f.get("evidence").toString().contains("\"example."), "the healthy function's own frames: " + f);
      assertFalse(f.get("advice").asText().contains("ObjectMapper"), "advice for a mapper the function does not have: " + f);
    }
    assertTrue(hello.get("init").get("cpuMs").asDouble() > 0, "the healthy function was profiled: " + hello.get("init"));

    // The whole tree at once: one report per function, selected by --function.
    JsonNode all = diagnose(tmp, tmp.resolve("data"));
    assertEquals(3, all.get("functions").size());
    JsonNode only = diagnose(tmp, tmp.resolve("data"), "--function", "waitinginithandler");
    assertEquals(1, only.get("functions").size());
    assertEquals("waitinginithandler", only.get("functions").get(0).get("function").asText());

    CliProcess.Result text = CliProcess.run(tmp, "diagnose", "--source", tmp.resolve("data/rules").toString());
    assertEquals(0, text.exit(), text.stderr());
    assertTrue(text.stdout().contains("init-cpu-hotspot") && text.stdout().contains("example.Rules.build"), text.stdout());
    for (String line : text.stdout().split("\n")) {
      if (line.strip().startsWith("see http")) continue; // a reference URL is printed whole: a cut one would not open
      assertTrue(line.length() <= 100, "over 100 columns: " + line);
    }
  }
}
