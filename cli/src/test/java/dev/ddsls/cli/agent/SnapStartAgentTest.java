package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.cli.CliProcess;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.value.Value;

/**
 * The agent jar in a real JVM under the real AWS runtime interface client, started as a SnapStart version starts
 * ({@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}, through the layer's exec wrapper), against a Runtime API that
 * holds {@code /restore/next} while "the snapshot" is taken ({@link SnapStartRuntimeApi}). No memory snapshot is taken
 * here: the restore is the Runtime API answering, as the runtime and the agent see it in Lambda.
 */
@Tag("e2e")
class SnapStartAgentTest {
  static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

  @TempDir Path tmp;

  private Process start(SnapStartRuntimeApi api, Path out, Map<String, String> extraEnv) throws IOException {
    Path layer = CliProcess.agentJar().getParent().getParent();
    List<String> classPath = new ArrayList<>();
    try (Stream<Path> jars = Files.list(Path.of("target", "runtime").toAbsolutePath())) {
      jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> classPath.add(p.toString()));
    }
    classPath.add(CliProcess.examplesJar().toString());
    List<String> cmd = new ArrayList<>(List.of("/bin/bash", layer.resolve("ddsls_wrapper").toString(),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xshare:auto", "-XX:MaxHeapSize=435m", "-Djava.net.preferIPv4Stack=true",
        "-classpath", String.join(File.pathSeparator, classPath), RIC_MAIN, "example.CheckpointProbeHandler::handleRequest"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    String path = System.getenv("PATH");
    env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
    env.put("TZ", ":UTC");
    env.put("AWS_LAMBDA_FUNCTION_NAME", "probe");
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java17");
    env.put("AWS_LAMBDA_EXEC_WRAPPER", layer.resolve("ddsls_wrapper").toString());
    env.put("DD_PROFILING_ENABLED", "true");
    env.put("DDSLS_PROFILING_ENGINE", "async");
    env.put("DDSLS_DEBUG", "true");
    env.put("DD_TRACE_AGENT_URL", "http://" + api.address());
    env.put("DDSLS_PROXY_PORT", Integer.toString(freePort()));
    env.put("AWS_LAMBDA_RUNTIME_API", api.address());
    env.put("_HANDLER", "example.CheckpointProbeHandler::handleRequest");
    env.put("LAMBDA_TASK_ROOT", tmp.toString());
    env.put("DDSLS_OUTPUT_DIR", out + "/");
    env.putAll(extraEnv);
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve("function.log").toFile());
    return pb.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private String log() throws IOException { return Files.readString(tmp.resolve("function.log")); }

  @Test
  void nothingFromBeforeTheSnapshotIsSentAfterTheRestoreAndTheRestoreIsProfiledAndTraced() throws Exception {
    Path out = tmp.resolve("out");
    try (SnapStartRuntimeApi api = new SnapStartRuntimeApi()) {
      // Both invocations' spans are counted at the intake after the restore.
      Process p = start(api, out, CliProcess.PATIENT_AGENT);
      try {
        assertTrue(api.restoreRequested.await(120, TimeUnit.SECONDS), "no /restore/next: " + log());
        // The agent sent what init produced before letting /restore/next through: the snapshot may be taken now.
        Set<String> beforeSnapshot = listing(out);
        List<JsonNode> initSpans = AgentEndToEndTest.spans(out);
        assertEquals(1, initSpans.size(), initSpans.toString());
        JsonNode init = initSpans.get(0);
        assertEquals("aws.lambda.snapstart_init", init.get("name").asText());
        assertEquals("snap-start", init.get("meta").get("init_type").asText());
        assertTrue(init.get("metrics").get("ddsls.init.runtime_init_ms").asDouble() > 0, init.toString());
        Profile initProfile = PprofReader.read(out.resolve("profile-0001-cpu.pb.gz"));
        long initSpanId = Long.parseUnsignedLong(init.get("span_id").asText());
        Set<String> initFrames = new HashSet<>();
        for (ProfileSample s : initProfile.samples()) {
          assertEquals("init", s.strLabel("phase"), "before the snapshot every sample is init's: " + s);
          assertEquals(initSpanId, s.numLabels().get("span id"), "init samples carry the snapshot's init span");
          initFrames.addAll(s.stack());
        }
        assertTrue(initFrames.contains("example.CheckpointProbeHandler.initWork"), initFrames.toString());
        assertTrue(initFrames.contains("example.CheckpointProbeHandler.checkpointWork"), "beforeCheckpoint hooks are init's");
        assertTrue(api.intake.stream().anyMatch(r -> r.path().equals("/v0.4/traces")), "init's spans were offered before the snapshot");

        long restoredAtMillis = System.currentTimeMillis();
        api.queue("{\"n\":1}");
        api.queue("{\"n\":2}");
        api.restore();
        for (int i = 0; i < 1200 && api.responses.size() < 2; i++) Thread.sleep(100);
        assertEquals(2, api.responses.size(), log());
        p.destroy(); // SIGTERM: the agent's last flush
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String log = log();
        assertTrue(log.contains("dropped, so that restored copies do not send them again"), log);

        // What was sent after the restore: this copy's own spans and profiles, none from before the snapshot.
        List<Map<String, Value>> spans = new ArrayList<>();
        List<Profile> profiles = new ArrayList<>();
        for (SnapStartRuntimeApi.Received r : api.intake) {
          if (!r.afterRestore()) continue;
          if (r.path().equals("/v0.4/traces")) spans.addAll(decodeSpans(r.body()));
          else profiles.add(PprofReader.read(gunzip(attachment(r, "cpu.pprof"))));
        }
        List<String> names = spans.stream().map(s -> s.get("name").asStringValue().asString()).collect(Collectors.toList());
        assertFalse(names.contains("aws.lambda.snapstart_init"), "the snapshot's init span was sent again: " + names);
        assertEquals(2, names.stream().filter("aws.lambda"::equals).count(), names.toString());
        Map<String, Value> restoreSpan = spans.stream().filter(s -> s.get("name").asStringValue().asString().equals("aws.lambda.snapstart_restore"))
            .findFirst().orElseThrow(() -> new AssertionError("no restore span in " + names));
        Map<String, Value> first = spans.stream().filter(s -> s.get("name").asStringValue().asString().equals("aws.lambda")
            && meta(s).get("cold_start").equals("true")).findFirst().orElseThrow();
        assertEquals("snap-start", meta(first).get("init_type"));
        assertFalse(meta(first).get("runtime-id").equals(init.get("meta").get("runtime-id").asText()),
            "the restored copy's runtime id is its own, not the snapshot's");
        double restoreMs = metrics(first).get("ddsls.restore.duration_ms");
        assertTrue(restoreMs > 0, "restore duration " + restoreMs);
        assertEquals(Math.round(restoreMs * 1e6), restoreSpan.get("duration").asNumberValue().toLong(), 1000.0);
        assertEquals(first.get("trace_id").asNumberValue().toLong(), restoreSpan.get("trace_id").asNumberValue().toLong());
        assertEquals(first.get("parent_id").asNumberValue().toLong(), restoreSpan.get("parent_id").asNumberValue().toLong());
        long restoreStartMillis = restoreSpan.get("start").asNumberValue().toLong() / 1_000_000L;
        assertTrue(restoreStartMillis >= restoredAtMillis - 1000 && restoreStartMillis <= System.currentTimeMillis(),
            "the restore is stamped when it happened: " + restoreStartMillis + " vs " + restoredAtMillis);

        Map<String, Set<String>> framesByPhase = new HashMap<>();
        for (Profile prof : profiles) {
          for (ProfileSample s : prof.samples()) framesByPhase.computeIfAbsent(s.strLabel("phase"), k -> new HashSet<>()).addAll(s.stack());
        }
        assertFalse(framesByPhase.containsKey("init"), "init samples were sent again after the restore: " + framesByPhase.keySet());
        assertTrue(framesByPhase.getOrDefault("restore", Set.of()).contains("example.CheckpointProbeHandler.restoreWork"),
            "sampling continued through the afterRestore hooks: " + framesByPhase.keySet());
        assertTrue(framesByPhase.getOrDefault("first_invocation_after_restore", Set.of()).contains("example.CheckpointProbeHandler.firstInvocationWork"),
            "the first invocation after the restore has its own phase: " + framesByPhase.keySet());
        for (Profile prof : profiles) {
          assertTrue(prof.timeNanos() / 1_000_000L >= restoredAtMillis - 1000, "a profile after the restore starts at the restore, not the snapshot");
        }

        // What the restored copy loaded after the snapshot: its priming candidates, not init's classes.
        List<String> classes = Files.readAllLines(out.resolve("first-invocation-classes-0001.tsv"));
        assertTrue(classes.contains("# init_type\tsnap-start"), classes.toString());
        List<String> names2 = classes.stream().filter(l -> !l.startsWith("#")).map(l -> l.substring(0, l.indexOf('\t'))).collect(Collectors.toList());
        assertTrue(names2.contains("example.CheckpointProbeHandler$FirstUse"), names2.toString());
        assertFalse(names2.contains("example.CheckpointProbeHandler"), "loaded in init, before the snapshot");
        assertTrue(classes.stream().anyMatch(l -> l.equals("example.CheckpointProbeHandler$FirstUse\tddsls-examples.jar")), "with its jar");

        // diagnose turns the list into a priming list, in the format Powertools' ClassPreLoader reads.
        CliProcess.Result d = CliProcess.run(tmp, "diagnose", "--source", out.toString(), "--priming", tmp.resolve("priming").toString(),
            "--format", "json", "--quiet");
        assertEquals(0, d.exit(), d.stdout() + d.stderr());
        assertTrue(d.stdout().contains("priming list for probe: "), d.stdout());
        List<String> primed = Files.readAllLines(tmp.resolve("priming").resolve("probe").resolve("classesloaded.txt"));
        assertTrue(primed.contains("example.CheckpointProbeHandler$FirstUse"), primed.toString());
        assertTrue(primed.stream().anyMatch(l -> l.startsWith("# ddsls-examples: ")), "grouped by library: " + primed);

        // The output directory: what was written after the restore is the restored copy's only.
        Set<String> afterRestore = listing(out);
        afterRestore.removeAll(beforeSnapshot);
        assertFalse(afterRestore.isEmpty());
        for (String f : afterRestore) {
          if (f.endsWith("-cpu.pb.gz")) {
            for (ProfileSample s : PprofReader.read(out.resolve(f)).samples()) assertFalse("init".equals(s.strLabel("phase")), f);
          }
        }
      } finally {
        CliProcess.destroyTree(p);
      }
    }
  }

  @Test
  void aFailingAfterRestoreHookIsReportedAndTheRestoreStillProfiled() throws Exception {
    Path out = tmp.resolve("out");
    try (SnapStartRuntimeApi api = new SnapStartRuntimeApi()) {
      Process p = start(api, out, Map.of("PROBE_RESTORE_FAILS", "true"));
      try {
        assertTrue(api.restoreRequested.await(120, TimeUnit.SECONDS), "no /restore/next: " + log());
        api.restore();
        assertTrue(api.restoreError.await(60, TimeUnit.SECONDS), "no /restore/error: " + log());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(64, p.exitValue(), "the runtime client exits 64 after an afterRestore failure: " + log());
        assertTrue(api.calls.contains("POST /2018-06-01/runtime/restore/error"), api.calls.toString());
        // Read from the output directory, written when the profile is submitted: the upload is the exit flush's, whose
        // 400 ms a loaded machine can use up before the profile is built.
        List<Profile> profiles = new ArrayList<>();
        for (String f : listing(out)) {
          if (!f.endsWith("-cpu.pb.gz")) continue;
          Profile profile = PprofReader.read(out.resolve(f));
          if (profile.comment("ddsls.restore_error") != null) profiles.add(profile);
        }
        assertFalse(profiles.isEmpty(), "the agent's last flush wrote the restore's profile: " + log());
        String error = profiles.get(0).comment("ddsls.restore_error");
        assertNotNull(error, profiles.get(0).comments().toString());
        assertTrue(profiles.stream().flatMap(x -> x.samples().stream()).anyMatch(s -> "restore".equals(s.strLabel("phase"))),
            "the failing restore was sampled");
      } finally {
        CliProcess.destroyTree(p);
      }
    }
  }

  private static Set<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).collect(Collectors.toCollection(HashSet::new));
    }
  }

  static List<Map<String, Value>> decodeSpans(byte[] body) throws IOException {
    List<Map<String, Value>> out = new ArrayList<>();
    for (Value trace : MessagePack.newDefaultUnpacker(body).unpackValue().asArrayValue()) {
      for (Value span : trace.asArrayValue()) {
        Map<String, Value> fields = new HashMap<>();
        for (Map.Entry<Value, Value> f : span.asMapValue().entrySet()) fields.put(f.getKey().asStringValue().asString(), f.getValue());
        out.add(fields);
      }
    }
    return out;
  }

  static Map<String, String> meta(Map<String, Value> span) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<Value, Value> e : span.get("meta").asMapValue().entrySet()) out.put(e.getKey().asStringValue().asString(), e.getValue().asStringValue().asString());
    return out;
  }

  static Map<String, Double> metrics(Map<String, Value> span) {
    Map<String, Double> out = new HashMap<>();
    for (Map.Entry<Value, Value> e : span.get("metrics").asMapValue().entrySet()) out.put(e.getKey().asStringValue().asString(), e.getValue().asNumberValue().toDouble());
    return out;
  }

  static byte[] attachment(SnapStartRuntimeApi.Received r, String filename) {
    String boundary = "--" + r.contentType().substring(r.contentType().indexOf("boundary=") + 9);
    String text = new String(r.body(), StandardCharsets.ISO_8859_1);
    int name = text.indexOf("filename=\"" + filename + "\"");
    if (name < 0) throw new AssertionError("no " + filename + " in the upload");
    int start = text.indexOf("\r\n\r\n", name) + 4;
    int end = text.indexOf("\r\n" + boundary, start);
    return Arrays.copyOfRange(r.body(), start, end);
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
