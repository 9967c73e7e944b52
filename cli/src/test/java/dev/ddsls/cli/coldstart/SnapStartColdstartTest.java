package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.crac.Core;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddsls coldstart --snapstart} as a process, on example handlers packaged as a function's zip (classes at the
 * root, org.crac in {@code lib/}) under the real runtime interface client: the org.crac hooks run in Lambda's order
 * with the agent off and on, the restore figures reach results.json and the platform records, and an afterRestore
 * hook that throws fails the cold start as Lambda reports it.
 */
@Tag("e2e")
class SnapStartColdstartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The runtime client runs beforeCheckpoint in reverse order of registration, afterRestore in order. */
  private static final List<String> LIFECYCLE = List.of("init", "beforeCheckpoint:second", "beforeCheckpoint:first",
      "afterRestore:first", "afterRestore:second", "invoke:1", "invoke:2");

  @TempDir Path tmp;

  /** The examples' classes at the root and the org.crac jar in lib/: the Gradle/Maven zip layout. */
  static Path functionZip(Path dir) throws Exception {
    Path zip = dir.resolve("function.zip");
    Path crac = Path.of(Core.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
         ZipFile classes = new ZipFile(CliProcess.examplesJar().toFile())) {
      for (Enumeration<? extends ZipEntry> en = classes.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        out.putNextEntry(new ZipEntry(e.getName()));
        if (!e.isDirectory()) {
          try (InputStream in = classes.getInputStream(e)) {
            in.transferTo(out);
          }
        }
        out.closeEntry();
      }
      // A function's own resource that no reader of diagnose's would accept: the task root must stay out of its source.
      out.putNextEntry(new ZipEntry("config/partial.json"));
      out.write("{\"pricing\": [".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new ZipEntry("lib/"));
      out.closeEntry();
      out.putNextEntry(new ZipEntry("lib/" + crac.getFileName()));
      Files.copy(crac, out);
      out.closeEntry();
    }
    return zip;
  }

  private CliProcess.Result coldstart(Path pkg, String handler, String agent, Path out, int invocations) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("coldstart", "--jar", pkg.toString(), "--handler", handler, "--snapstart",
        "--agent", agent, "--runs", "1", "--invocations", Integer.toString(invocations), "--out", out.toString(),
        "--format", "json", "--timeout", "60"));
    return CliProcess.run(tmp, Map.of(), 180, cmd.toArray(new String[0]));
  }

  @Test
  @Timeout(240)
  void hooksRunInLambdasOrderWithTheAgentOff() throws Exception {
    lifecycle("off");
  }

  /** The agent's Runtime API proxy sits between the runtime client and the emulator: /restore/next must pass it. */
  @Test
  @Timeout(240)
  void hooksRunInLambdasOrderWithTheAgentOn() throws Exception {
    lifecycle("on");
  }

  private void lifecycle(String agent) throws Exception {
    Path out = tmp.resolve("snap-" + agent);
    CliProcess.Result r = coldstart(functionZip(tmp), "example.SnapStartHooksHandler", agent, out, 2);
    assertEquals(0, r.exit(), r.stderr() + r.stdout());

    JsonNode doc = JSON.readTree(out.resolve("results.json").toFile());
    assertEquals("snap-start", doc.get("initializationType").asText());
    assertEquals("task-root", doc.get("taskRoot").asText());
    assertEquals("zip-lib", doc.get("packageLayout").asText());
    JsonNode run = doc.get("runs").get(0);
    assertEquals("ok", run.get("status").asText(), run.toString());
    assertTrue(run.get("initMs").asDouble() > 0, run.toString());
    assertTrue(run.get("restoreMs").isNumber() && run.get("restoreMs").asDouble() >= 0, run.toString());
    assertEquals(1, doc.get("summary").get("restoreMs").get("n").asInt());
    assertEquals(run.get("invocationsMs").get(0).asDouble(),
        doc.get("summary").get("firstInvocationAfterRestoreMs").get("p50").asDouble(), 1e-9);

    JsonNode second = response(out, 1);
    List<String> events = new ArrayList<>();
    second.get("events").forEach(e -> events.add(e.asText()));
    assertEquals(LIFECYCLE, events, "init, the checkpoint hooks, the restore hooks, then the invocations");

    // The Telemetry API's restore events, in order, and the REPORT's Restore Duration on the first invocation only.
    List<JsonNode> platform = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("run-1").resolve(PlatformRecords.FILE), StandardCharsets.UTF_8)) {
      platform.add(JSON.readTree(l));
    }
    List<String> types = new ArrayList<>();
    platform.forEach(e -> types.add(e.get("type").asText()));
    assertEquals(List.of("platform.initStart", "platform.initRuntimeDone", "platform.initReport", "platform.restoreStart",
        "platform.restoreRuntimeDone", "platform.restoreReport", "platform.start", "platform.runtimeDone", "platform.report",
        "platform.start", "platform.runtimeDone", "platform.report"), types);
    assertEquals("snap-start", platform.get(0).get("record").get("initializationType").asText());
    JsonNode restoreReport = platform.get(5).get("record");
    assertEquals("success", restoreReport.get("status").asText());
    assertEquals(run.get("restoreMs").asDouble(), restoreReport.get("metrics").get("durationMs").asDouble(), 1e-9);
    JsonNode firstReport = platform.get(8).get("record").get("metrics");
    assertEquals(run.get("restoreMs").asDouble(), firstReport.get("restoreDurationMs").asDouble(), 1e-9);
    assertFalse(firstReport.has("initDurationMs"), "a restored environment reports no Init Duration: " + firstReport);
    assertFalse(platform.get(11).get("record").get("metrics").has("restoreDurationMs"));
    if (agent.equals("on")) assertTrue(run.get("files").size() > 0, "the agent wrote its files: " + run);

    // diagnose reads the run back: one snap-start cold start, its restore, the first invocation after it.
    CliProcess.Result d = CliProcess.run(tmp, Map.of(), 120, "diagnose", "--source", out.toString(), "--format", "json", "--quiet");
    assertEquals(0, d.exit(), "the task root's files are not read: " + d.stderr());
    JsonNode f = JSON.readTree(d.stdout()).get("functions").get(0);
    assertEquals(1, f.get("coldStartsByInitType").get("snap-start").asInt(), f.toString());
    assertFalse(f.get("coldStartsByInitType").has("on-demand"), f.toString());
    JsonNode snap = f.get("snapStart");
    assertEquals(1, snap.get("snapStartColdStarts").asInt(), snap.toString());
    assertEquals(0, snap.get("onDemandColdStarts").asInt(), snap.toString());
    assertEquals(run.get("restoreMs").asDouble(), snap.get("restoreMs").get("p50").asDouble(), 0.051, "to the tenth of a ms");
    assertEquals(1, snap.get("firstInvocationAfterRestoreMs").get("n").asInt());
  }

  @Test
  @Timeout(240)
  void anAfterRestoreHookThatThrowsFailsTheRestoreAsLambdaReportsIt() throws Exception {
    Path out = tmp.resolve("failing");
    CliProcess.Result r = coldstart(functionZip(tmp), "example.FailingRestoreHandler", "off", out, 1);
    assertEquals(1, r.exit(), r.stderr());

    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("restore-error", run.get("status").asText(), run.toString());
    String error = run.get("error").asText();
    assertTrue(error.startsWith("SnapStartException: the afterRestore() runtime hook encountered an error"), error);
    assertTrue(error.contains("Runtime.AfterRestoreError"), "the type the runtime client posted to /restore/error: " + error);
    assertTrue(error.contains("caused by java.lang.IllegalStateException: the connection pool cannot be re-opened after restore"),
        "the hook's exception: " + error);
    assertTrue(run.get("initMs").asDouble() > 0, "the snapshot's init completed: " + run);
    assertTrue(run.get("restoreMs").isNull(), "the restore never reached /next: " + run);
    assertEquals(0, run.get("invocationsMs").size());

    String platform = Files.readString(out.resolve("run-1").resolve(PlatformRecords.FILE), StandardCharsets.UTF_8);
    JsonNode restoreReport = null;
    for (String l : platform.split("\n")) {
      JsonNode e = JSON.readTree(l);
      if (e.get("type").asText().equals("platform.restoreReport")) restoreReport = e.get("record");
      assertFalse(e.get("type").asText().equals("platform.start"), "no invocation started: " + l);
    }
    assertEquals("error", restoreReport.get("status").asText());
    assertEquals("Runtime.AfterRestoreError", restoreReport.get("errorType").asText());
  }

  /** A beforeCheckpoint hook that throws fails the snapshot's init: the runtime client posts /init/error. */
  @Test
  @Timeout(240)
  void aBeforeCheckpointHookThatThrowsIsAnInitError() throws Exception {
    Path out = tmp.resolve("checkpoint");
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 180, "coldstart", "--jar", functionZip(tmp).toString(), "--handler",
        "example.SnapStartHooksHandler", "--snapstart", "--agent", "off", "--runs", "1", "--invocations", "1",
        "--env", "BEFORE_CHECKPOINT_FAILS=first", "--out", out.toString(), "--format", "json");
    assertEquals(1, r.exit(), r.stderr());
    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("init-error", run.get("status").asText(), run.toString());
    assertTrue(run.get("initMs").isNull(), "no snapshot was taken: " + run);
    assertTrue(run.get("restoreMs").isNull(), run.toString());
    String error = run.get("error").asText();
    assertTrue(error.startsWith("Runtime.BeforeCheckpointError: com.amazonaws.services.lambda.crac.CheckpointException"),
        "the type the runtime client declared, then its context's exception: " + error);
    assertTrue(error.contains("caused by java.lang.IllegalStateException: cannot flush first before the snapshot"), error);
    List<String> types = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("run-1").resolve(PlatformRecords.FILE), StandardCharsets.UTF_8)) {
      JsonNode e = JSON.readTree(l);
      types.add(e.get("type").asText());
      if (e.get("type").asText().equals("platform.initReport")) {
        assertEquals("error", e.get("record").get("status").asText(), l);
        assertEquals("Runtime.BeforeCheckpointError", e.get("record").get("errorType").asText(), l);
      }
    }
    assertEquals(List.of("platform.initStart", "platform.initRuntimeDone", "platform.initReport"), types, "no restore, no invocation");
  }

  /** Lambda gives the restore 10 s whatever the function's timeout: a slower afterRestore hook fails it. */
  @Test
  @Timeout(240)
  void anAfterRestoreHookOverTenSecondsIsASnapStartTimeout() throws Exception {
    Path out = tmp.resolve("slow");
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 180, "coldstart", "--jar", functionZip(tmp).toString(), "--handler",
        "example.SnapStartHooksHandler", "--snapstart", "--agent", "off", "--runs", "1", "--invocations", "1", "--timeout", "60",
        "--env", "AFTER_RESTORE_SLEEP_MS=11000", "--out", out.toString(), "--format", "json");
    assertEquals(1, r.exit(), r.stderr());
    JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).get("runs").get(0);
    assertEquals("restore-error", run.get("status").asText(), run.toString());
    assertTrue(run.get("error").asText().startsWith("SnapStartTimeoutException: the restore (the afterRestore hooks) did not finish"
        + " within 10 s"), run.toString());
    JsonNode restoreReport = null;
    for (String l : Files.readAllLines(out.resolve("run-1").resolve(PlatformRecords.FILE), StandardCharsets.UTF_8)) {
      JsonNode e = JSON.readTree(l);
      if (e.get("type").asText().equals("platform.restoreReport")) restoreReport = e.get("record");
    }
    assertEquals("timeout", restoreReport.get("status").asText(), restoreReport.toString());
  }

  /** From inside a handler: the task root is a directory of unpacked classes and lib/ jars, as /var/task is. */
  @Test
  @Timeout(240)
  void theHandlerRunsFromAnUnpackedTaskRoot() throws Exception {
    Path out = tmp.resolve("task");
    Path event = tmp.resolve("event.json");
    Files.writeString(event, "{\"libClass\":\"org.crac.Core\"}");
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 180, "coldstart", "--jar", functionZip(tmp).toString(), "--handler",
        "example.TaskRootHandler", "--agent", "off", "--runs", "1", "--invocations", "1", "--event", event.toString(),
        "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stderr());
    JsonNode doc = JSON.readTree(out.resolve("results.json").toFile());
    assertEquals("on-demand", doc.get("initializationType").asText());
    assertEquals("zip-lib", doc.get("packageLayout").asText());
    JsonNode seen = response(out);

    Path root = out.resolve("task-root").toRealPath();
    assertEquals(root, Path.of(seen.get("taskRoot").asText()).toRealPath(), seen.toString());
    assertEquals(root, Path.of(seen.get("cwd").asText()).toRealPath(), "the working directory is the task root: " + seen);
    Path handlerSource = Path.of(seen.get("handlerCodeSource").asText());
    assertTrue(Files.isDirectory(handlerSource) && handlerSource.toRealPath().equals(root),
        "the handler's class was read from the unpacked directory: " + seen);
    assertTrue(Files.isRegularFile(root.resolve("example/TaskRootHandler.class")));
    Path libSource = Path.of(seen.get("libCodeSource").asText()).toRealPath();
    assertEquals(root.resolve("lib"), libSource.getParent(), "the dependency came from lib/*.jar: " + seen);
    assertFalse(seen.get("classPath").asText().contains("task-root"), "the function is not on the system class path: " + seen);
    assertFalse(seen.get("classPath").asText().contains("function.zip"), seen.toString());
    assertTrue(seen.get("handlerLoader").asText().contains("CustomerClassLoader"), seen.toString());
  }

  /** A fat jar unpacks to classes at the root; the diagnostic start keeps the old class-path start, no task root. */
  @Test
  @Timeout(240)
  void aFatJarUnpacksToClassesAtTheRootAndTheDiagnosticStartUsesTheClassPath() throws Exception {
    Path out = tmp.resolve("jar");
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 180, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler",
        "example.TaskRootHandler", "--agent", "off", "--runs", "1", "--invocations", "1", "--out", out.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals("jar", JSON.readTree(out.resolve("results.json").toFile()).get("packageLayout").asText());
    assertEquals(out.resolve("task-root").toRealPath(), Path.of(response(out).get("handlerCodeSource").asText()).toRealPath());
    assertTrue(Files.isSymbolicLink(out.resolve("task-root")), "a link to the package unpacked once for every coldstart");
    assertEquals(CliProcess.CACHE.resolve("task-roots").toRealPath(), out.resolve("task-root").toRealPath().getParent());

    Path old = tmp.resolve("class-path");
    r = CliProcess.run(tmp, Map.of(), 180, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler",
        "example.TaskRootHandler", "--agent", "off", "--runs", "1", "--invocations", "1", "--out", old.toString(), "--format", "json",
        "--package-on-class-path");
    assertEquals(0, r.exit(), r.stderr());
    JsonNode doc = JSON.readTree(old.resolve("results.json").toFile());
    assertEquals("class-path", doc.get("packageLayout").asText());
    assertTrue(doc.get("taskRoot").isNull());
    assertFalse(Files.exists(old.resolve("task-root")));
    assertEquals(CliProcess.examplesJar().toRealPath(), Path.of(response(old).get("handlerCodeSource").asText()).toRealPath());
  }

  private static JsonNode response(Path out) throws IOException { return response(out, 0); }

  /** The k-th (from 0) response of run 1: the handlers return a String, which the runtime serialises as a JSON string. */
  private static JsonNode response(Path out, int k) throws IOException {
    String line = Files.readAllLines(out.resolve("run-1").resolve(ColdstartRun.INVOCATIONS), StandardCharsets.UTF_8).get(k);
    JsonNode body = JSON.readTree(JSON.readTree(line).get("response").asText());
    return body.isTextual() ? JSON.readTree(body.asText()) : body;
  }
}
