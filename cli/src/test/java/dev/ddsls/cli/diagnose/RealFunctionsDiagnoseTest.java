package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The diagnosis on functions as users build them, under the conditions Lambda runs them in: a deployment package
 * with the real AWS SDK v2, a CPU-bound init, a network wait and a lock wait, each through {@code ddsls coldstart}
 * (real JVMs, the real runtime interface client, the agent) and {@code ddsls diagnose}. A CPU-bound init must get
 * the same top finding at Lambda's 512 MB CPU share and beside a CPU hog as on a whole core, and never be called
 * waiting; a real wait must be named with its kind.
 */
@Tag("e2e")
@Isolated("a CPU-bound init must not be called waiting: its one CPU hog is the test's own")
class RealFunctionsDiagnoseTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SDK = "example.sdk.OrdersHandler::handleRequest";

  @TempDir Path tmp;

  static Path sdkJar() { return Path.of("target", "examples", "ddsls-example-aws-sdk.jar").toAbsolutePath(); }

  private Path coldstart(String name, Path jar, String handler, String... extra) throws Exception {
    Path out = tmp.resolve(name);
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", jar.toString(), "--handler", handler, "--runs", "2",
        "--invocations", "3", "--out", out.toString(), "--format", "json"));
    args.addAll(List.of(extra));
    CliProcess.Result r = CliProcess.run(tmp, args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    return out;
  }

  private JsonNode diagnose(Path source) throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", source.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stderr());
    return JSON.readTree(r.stdout()).get("functions").get(0);
  }

  private static List<String> ids(JsonNode function) {
    List<String> ids = new ArrayList<>();
    for (JsonNode f : function.get("findings")) ids.add(f.get("id").asText());
    return ids;
  }

  /** The top finding of a CPU-bound init: a hotspot in the function's own frame, or the library it is spent in. */
  private static void assertSdkInitTop(JsonNode fn, String condition) {
    JsonNode top = fn.get("findings").get(0);
    String all = condition + ": " + fn.get("findings");
    assertEquals("init-cpu-hotspot", top.get("id").asText(), all);
    assertEquals("example.sdk.OrdersHandler.<clinit>", top.get("evidence").get("frame").asText(), all);
    assertTrue(top.get("evidence").toString().contains("aws-sdk-client-init"), "the SDK is named as part of the hotspot: " + all);
    assertFalse(ids(fn).contains("init-off-cpu"), "CPU-bound init called waiting: " + all);
    assertFalse(top.get("advice").asText().toLowerCase().contains("lazily"), "advice moves the cost to a user's request: " + all);
    // The function's own code and its packages are Java frames of the function, never a native symbol.
    JsonNode init = fn.get("init");
    for (String table : List.of("ownFrames", "userFrames", "staticInitialisers", "topPackages")) {
      String rows = init.get(table).toString();
      assertFalse(rows.contains("@@GLIBC") || rows.contains("(native)") || rows.contains("::"), table + ": " + rows);
    }
    assertFalse(top.get("evidence").get("callers").toString().contains("@@"), all);
  }

  /** Own code comes from the measured jar: of the shaded SDK jar's packages, only the handler's are the function's. */
  private static void assertOwnCodeFromTheJar(JsonNode fn) {
    assertTrue(fn.get("notes").toString().contains("own code: ddsls-example-aws-sdk.jar: 1 own package"), fn.get("notes").toString());
    for (JsonNode row : fn.get("init").get("ownFrames")) {
      assertTrue(row.get("frame").asText().startsWith("example.sdk."), "own frame outside the function's package: " + row);
    }
  }

  @Test
  @Timeout(600)
  void awsSdkInitIsTheSameCauseOnACoreAtLambdasShareAndBesideAHog() throws Exception {
    JsonNode core = diagnose(coldstart("sdk-1769", sdkJar(), SDK, "--memory", "1769"));
    assertSdkInitTop(core, "1769 MB");
    assertOwnCodeFromTheJar(core);

    JsonNode starved = diagnose(coldstart("sdk-512", sdkJar(), SDK, "--memory", "512", "--cpu-limit"));
    assertSdkInitTop(starved, "512 MB with its CPU share");
    assertTrue(ids(starved).contains("init-cpu-starved"), "the stretch by the CPU share is said: " + ids(starved));
    assertEquals(2, starved.get("coldStartsByMemoryMb").get("512").asInt(), starved.get("coldStartsByMemoryMb").toString());

    try (CpuHog hog = CpuHog.start(Runtime.getRuntime().availableProcessors())) {
      assertSdkInitTop(diagnose(coldstart("sdk-hog", sdkJar(), SDK, "--memory", "1769")), "beside a CPU hog");
    }
  }

  @Test
  @Timeout(600)
  void cpuBoundInitAtLambdasShareIsAHotspotNotAWait() throws Exception {
    JsonNode fn = diagnose(coldstart("rules-512", CliProcess.examplesJar(), "example.RulesHandler::handleRequest", "--memory", "512",
        "--cpu-limit"));
    JsonNode top = fn.get("findings").get(0);
    assertEquals("init-cpu-hotspot", top.get("id").asText(), fn.get("findings").toString());
    assertEquals("example.Rules.build", top.get("evidence").get("frame").asText());
    assertFalse(ids(fn).contains("init-off-cpu"), fn.get("findings").toString());
  }

  @Test
  @Timeout(600)
  void aSlowSocketReadInInitIsANetworkWaitInTheFunctionsFrame() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answer = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
            Thread.sleep(700); // a slow config service
            out.write("{\"feature\":true}".getBytes(StandardCharsets.UTF_8));
          } catch (Exception e) {
            return;
          }
        }
      });
      answer.setDaemon(true);
      answer.start();
      JsonNode fn = diagnose(coldstart("remote", CliProcess.examplesJar(), "example.RemoteConfigHandler::handleRequest",
          "--env", "CONFIG_ADDR=127.0.0.1:" + server.getLocalPort()));
      JsonNode top = fn.get("findings").get(0);
      assertEquals("init-off-cpu", top.get("id").asText(), fn.get("findings").toString());
      assertEquals("network", top.get("evidence").get("kind").asText(), top.toString());
      assertEquals("example.RemoteConfigHandler$RemoteConfig.fetch", top.get("evidence").get("frame").asText(), top.toString());
    }
  }

  @Test
  @Timeout(600)
  void aLockHeldByAnotherThreadIsALockWait() throws Exception {
    JsonNode fn = diagnose(coldstart("locked", CliProcess.examplesJar(), "example.LockedInitHandler::handleRequest"));
    JsonNode top = fn.get("findings").get(0);
    assertEquals("init-off-cpu", top.get("id").asText(), fn.get("findings").toString());
    assertEquals("lock", top.get("evidence").get("kind").asText(), top.toString());
    assertEquals("example.LockedInitHandler$Registry.get", top.get("evidence").get("frame").asText(), top.toString());
  }

  /** Busy processes on every core, as a noisy neighbour; ended on close. */
  static final class CpuHog implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    static CpuHog start(int n) throws Exception {
      CpuHog h = new CpuHog();
      for (int i = 0; i < n; i++) h.processes.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
      return h;
    }

    @Override public void close() {
      for (Process p : processes) p.destroyForcibly();
    }
  }
}
