package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import dev.ddsls.cli.coldstart.Cores;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnosis on functions as users build them, under the conditions Lambda runs them in: deployment packages
 * with the real AWS SDK v2, Spring Boot behind the AWS serverless Java container, and Jackson and Log4j2 set up on
 * the first request; a CPU-bound init, a network wait and a lock wait, each through {@code ddsls coldstart}
 * (real JVMs, the real runtime interface client, the agent) and {@code ddsls diagnose}. A CPU-bound init must get
 * the same top finding at Lambda's 512 MB CPU share and beside a CPU hog as on a whole core, and never be called
 * waiting; a real wait must be named with its kind. Each subclass runs every test under its own {@link #conditions}:
 * {@link RealFunctionsOnACoreTest} on a core, {@link RealFunctionsAtLambdasShareTest} at Lambda's share and
 * {@link RealFunctionsBesideAHogTest} on a core shared with a hog, each beside the suite's other classes.
 */
@Tag("e2e")
abstract class RealFunctionsDiagnosis {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SDK = "example.sdk.OrdersHandler::handleRequest";
  static final String SPRING = "example.spring.StreamLambdaHandler::handleRequest";
  static final String INVOICE = "example.invoice.InvoiceHandler::handleRequest";
  /** API Gateway's REST proxy event for GET /orders/42, as the serverless Java container reads it. */
  static final String GET_ORDER = """
      {"resource":"/orders/{id}","path":"/orders/42","httpMethod":"GET",
       "headers":{"Accept":"application/json","Host":"localhost"},
       "multiValueHeaders":{"Accept":["application/json"],"Host":["localhost"]},
       "pathParameters":{"id":"42"},"queryStringParameters":null,"body":null,"isBase64Encoded":false,
       "requestContext":{"resourcePath":"/orders/{id}","httpMethod":"GET","path":"/prod/orders/42","stage":"prod",
         "requestId":"req-1","accountId":"123456789012","apiId":"api","identity":{"sourceIp":"127.0.0.1"}}}
      """;

  @TempDir Path tmp;

  /** The conditions every test of this class runs its functions under, in this order. */
  abstract Set<Condition> conditions();

  static Path sdkJar() { return Path.of("target", "examples", "ddsls-example-aws-sdk.jar").toAbsolutePath(); }

  static Path springJar() { return Path.of("target", "examples", "ddsls-example-spring-boot.jar").toAbsolutePath(); }

  static Path invoiceJar() { return Path.of("target", "examples", "ddsls-example-jackson-log4j2.jar").toAbsolutePath(); }

  /** {@code ddsls coldstart} of the function, {@code runs} cold starts, its processes held to {@code cpus} unless null. */
  private Path coldstart(String cpus, int runs, String name, Path jar, String handler, String... extra) throws Exception {
    Path out = tmp.resolve(name);
    List<String> args = new ArrayList<>(List.of("coldstart", "--jar", jar.toString(), "--handler", handler, "--runs",
        Integer.toString(runs), "--invocations", "3", "--out", out.toString(), "--format", "json"));
    args.addAll(List.of(extra));
    String[] all = args.toArray(new String[0]);
    CliProcess.Result r = cpus == null ? CliProcess.run(tmp, all) : CliProcess.runOn(cpus, tmp, all);
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

  /** At 512 MB with its CPU share: both cold starts are counted at that size, and the stretch by the share is said. */
  private static void assertStretchedByTheShare(JsonNode fn) {
    assertTrue(ids(fn).contains("init-cpu-starved"), "the stretch by the CPU share is said: " + ids(fn));
    assertEquals(2, fn.get("coldStartsByMemoryMb").get("512").asInt(), fn.get("coldStartsByMemoryMb").toString());
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
    for (Condition c : conditions()) {
      String[] onACore = c == Condition.SHARE_512 ? new String[0] : new String[] {"--memory", "1769"};
      JsonNode fn = c.diagnose(this, "sdk", sdkJar(), SDK, onACore);
      assertSdkInitTop(fn, c.toString());
      if (c == Condition.CORE) assertOwnCodeFromTheJar(fn);
      if (c == Condition.SHARE_512) assertStretchedByTheShare(fn);
    }
  }

  @Test
  @Timeout(600)
  void cpuBoundInitAtLambdasShareIsAHotspotNotAWait() throws Exception {
    assumeFalse(conditions().equals(Set.of(Condition.CORE)), "the core case is DiagnoseEndToEndTest's");
    for (Condition c : conditions()) {
      if (c == Condition.CORE) continue;
      JsonNode fn = c.diagnose(this, "rules", CliProcess.examplesJar(), "example.RulesHandler::handleRequest");
      JsonNode top = fn.get("findings").get(0);
      assertEquals("init-cpu-hotspot", top.get("id").asText(), c + ": " + fn.get("findings"));
      assertEquals("example.Rules.build", top.get("evidence").get("frame").asText(), c.toString());
      assertFalse(ids(fn).contains("init-off-cpu"), c + ": " + fn.get("findings"));
    }
  }

  /**
   * Where a function runs: a whole core, Lambda's CPU share at 512 MB, or a core shared with a busy neighbour (the
   * function's processes and a hog held to {@link #HOG_CPU}, so that the function cannot move to an idle core; the
   * last core, as --cpu-limit holds a function to the first).
   */
  enum Condition {
    CORE, SHARE_512, BESIDE_A_HOG;

    static final String HOG_CPU = Objects.requireNonNullElse(Cores.last(), "0");

    JsonNode diagnose(RealFunctionsDiagnosis t, String name, Path jar, String handler, String... extra) throws Exception {
      return t.diagnose(coldstart(t, name, jar, handler, extra));
    }

    /** The coldstart output directory of the function run under this condition. */
    Path coldstart(RealFunctionsDiagnosis t, String name, Path jar, String handler, String... extra) throws Exception {
      List<String> args = new ArrayList<>(List.of(extra));
      if (this == SHARE_512) args.addAll(List.of("--memory", "512", "--cpu-limit"));
      String dir = name + "-" + name().toLowerCase(Locale.ROOT);
      // Two cold starts at the share, whose stretch is said of both at their memory size; one elsewhere: a condition's
      // claim is its top finding, which one cold start makes as two do, and the hog costs the suite CPU as long as it runs.
      int runs = this == SHARE_512 ? 2 : 1;
      if (this != BESIDE_A_HOG) return t.coldstart(null, runs, dir, jar, handler, args.toArray(new String[0]));
      try (CpuHog hog = CpuHog.start(HOG_CPU)) {
        return t.coldstart(HOG_CPU, runs, dir, jar, handler, args.toArray(new String[0]));
      }
    }
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
      for (Condition c : conditions()) {
        JsonNode fn = c.diagnose(this, "remote", CliProcess.examplesJar(), "example.RemoteConfigHandler::handleRequest",
            "--env", "CONFIG_ADDR=127.0.0.1:" + server.getLocalPort());
        JsonNode top = fn.get("findings").get(0);
        assertEquals("init-off-cpu", top.get("id").asText(), c + ": " + fn.get("findings"));
        assertEquals("network", top.get("evidence").get("kind").asText(), c + ": " + top);
        assertEquals("example.RemoteConfigHandler$RemoteConfig.fetch", top.get("evidence").get("frame").asText(), c + ": " + top);
      }
    }
  }

  @Test
  @Timeout(600)
  void aLockHeldByAnotherThreadIsALockWait() throws Exception {
    for (Condition c : conditions()) {
      JsonNode fn = c.diagnose(this, "locked", CliProcess.examplesJar(), "example.LockedInitHandler::handleRequest");
      JsonNode top = fn.get("findings").get(0);
      assertEquals("init-off-cpu", top.get("id").asText(), c + ": " + fn.get("findings"));
      assertEquals("lock", top.get("evidence").get("kind").asText(), c + ": " + top);
      assertEquals("example.LockedInitHandler$Registry.get", top.get("evidence").get("frame").asText(), c + ": " + top);
    }
  }

  /** Spring's start is CPU work in the handler's static initialiser, broken down by what Spring did. */
  private static void assertSpringInitTop(JsonNode fn, String condition) {
    String all = condition + ": " + fn.get("findings");
    JsonNode top = fn.get("findings").get(0);
    if (top.get("id").asText().equals("init-cpu-hotspot")) {
      assertEquals("example.spring.StreamLambdaHandler.<clinit>", top.get("evidence").get("frame").asText(), all);
      JsonNode includes = top.get("evidence").get("includes");
      assertEquals("spring-init", includes.get(0).get("id").asText(), "Spring is most of the hotspot: " + all);
    } else {
      assertEquals("spring-init", top.get("id").asText(), all);
    }
    assertFalse(ids(fn).contains("init-off-cpu"), "CPU-bound init called waiting: " + all);
    // Own code from the shaded jar: Spring, the serverless container and Jackson are dependencies, not the function.
    assertTrue(fn.get("notes").toString().contains("own code: ddsls-example-spring-boot.jar: 1 own package"), fn.get("notes").toString());
    for (JsonNode row : fn.get("init").get("ownFrames")) {
      assertTrue(row.get("frame").asText().startsWith("example.spring."), "own frame outside the function's package: " + row);
    }
    JsonNode spring = null;
    for (JsonNode f : fn.get("findings")) {
      if (f.get("id").asText().equals("spring-init")) spring = f;
    }
    assertTrue(spring != null, "spring-init is a finding: " + all);
    // The time by what Spring did: configuration processing and bean creation lead, classpath scanning of one
    // package is small, and the named components explain most of it.
    Map<String, Double> components = new LinkedHashMap<>();
    for (JsonNode c : spring.get("evidence").get("components")) components.put(c.get("name").asText(), c.get("ms").asDouble());
    String first = components.keySet().iterator().next();
    assertTrue(List.of("auto-configuration", "bean-creation", "environment-config").contains(first), condition + ": " + components);
    // Scanning one package of three classes (its jar's entries listed once) is a few % of Spring's start; reading
    // the auto-configurations' class metadata counted as scanning made it more than a tenth.
    double springMs = spring.get("evidence").get("cpuMs").asDouble();
    assertTrue(components.getOrDefault("component-scan", 0.0) < 0.08 * springMs,
        condition + ": auto-configuration counted as classpath scanning: " + components);
    double named = components.entrySet().stream().filter(e -> !e.getKey().equals("other")).mapToDouble(Map.Entry::getValue).sum();
    assertTrue(named >= 0.6 * springMs, condition + ": mostly unexplained: " + components);
    // No advice moves the context's start to a user's request (Spring's own lazy-initialization switch is fine).
    for (JsonNode f : fn.get("findings")) {
      String advice = f.get("advice").asText().replace("spring.main.lazy-initialization", "").toLowerCase();
      assertFalse(advice.contains("lazy") || advice.contains("lazily"), f.get("id") + " advice: " + f.get("advice"));
    }
  }

  private Path event(String name, String json) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, json);
    return f;
  }

  /** Every response of the first run has {@code expected} (compared without the JSON escapes of nested JSON). */
  private static void assertAnswered(Path out, String expected) throws Exception {
    for (String line : Files.readAllLines(out.resolve("run-1").resolve("invocations.jsonl"))) {
      assertTrue(line.replace("\\", "").contains(expected), "the function did not answer as it should: " + line);
    }
  }

  @Test
  @Timeout(900)
  void springBootStartIsTheSameCauseByDefaultAtLambdasShareAndBesideAHog() throws Exception {
    String ev = event("get-order.json", GET_ORDER).toString();
    for (Condition c : conditions()) {
      Path out = c.coldstart(this, "spring", springJar(), SPRING, "--event", ev, "--timeout", "120");
      assertAnswered(out, "\"statusCode\":200");
      assertAnswered(out, "\"sku\":\"sku-1\"");
      JsonNode fn = diagnose(out);
      assertSpringInitTop(fn, c.toString());
      if (c == Condition.SHARE_512) assertStretchedByTheShare(fn);
    }
  }

  @Test
  @Timeout(600)
  void jacksonAndLog4j2BuiltOnTheFirstRequestAreAColdInvocationPenalty() throws Exception {
    for (Condition c : conditions()) firstRequestPenalty(c);
  }

  private void firstRequestPenalty(Condition c) throws Exception {
    Path out = c.coldstart(this, "invoice", invoiceJar(), INVOICE);
    assertAnswered(out, "inv-c-1001");
    JsonNode fn = diagnose(out);
    String all = c + ": " + fn.get("findings");
    JsonNode top = fn.get("findings").get(0);
    assertEquals("cold-invocation-penalty", top.get("id").asText(), all);
    JsonNode ev = top.get("evidence");
    assertTrue(ev.get("warmMedianMs").asDouble() * 5 < ev.get("firstInvocationMs").get("p50").asDouble(), "warm is fast: " + ev);
    // The handler's frames that built them, and the libraries they built.
    List<String> frames = new ArrayList<>();
    for (JsonNode f : ev.get("frames")) frames.add(f.get("frame").asText());
    assertTrue(frames.contains("example.invoice.InvoiceHandler.logger"), frames.toString());
    assertTrue(frames.contains("example.invoice.InvoiceHandler.mapper"), frames.toString());
    List<String> libraries = new ArrayList<>();
    for (JsonNode l : ev.get("libraries")) libraries.add(l.get("id").asText());
    assertTrue(libraries.containsAll(List.of("jackson-init", "logging-init")), libraries.toString());
    JsonNode breakdown = ev.get("libraryBreakdown");
    assertTrue(breakdown.get("logging-init").get("calledFrom").toString().contains("example.invoice.InvoiceHandler.logger"), breakdown.toString());
    assertTrue(breakdown.get("jackson-init").get("calledFrom").toString().contains("example.invoice.InvoiceHandler.mapper"), breakdown.toString());
    assertTrue(top.get("title").asText().contains("Logging framework bootstrap"), top.get("title").asText());
    // How to build each in init, never to defer more; and the first invocation's thread was mostly on a CPU or
    // waiting for one, not blocked.
    String advice = top.get("advice").asText();
    assertTrue(advice.contains("ObjectMapper") && advice.contains("getLogger"), advice);
    assertFalse(advice.toLowerCase().contains("lazy") || advice.toLowerCase().contains("lazily"), advice);
    JsonNode split = ev.get("wallSplit");
    assertTrue(split.get("onCpuMs").asDouble() + split.get("runnableMs").asDouble() > 2 * split.get("blockedMs").asDouble(), split.toString());
    assertFalse(ids(fn).contains("init-cpu-hotspot"), "init does nothing heavy: " + all);
  }

  /** A busy process held to the CPUs {@code cpus} names, as a noisy neighbour; ended on close. */
  static final class CpuHog implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    static CpuHog start(String cpus) throws Exception {
      CpuHog h = new CpuHog();
      h.processes.add(new ProcessBuilder("taskset", "-c", cpus, "sh", "-c", "while :; do :; done").start());
      return h;
    }

    @Override public void close() {
      for (Process p : processes) p.destroyForcibly();
    }
  }
}
