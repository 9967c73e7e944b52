package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.CliProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one clear line and exit 2 (usage) or 3 (source unavailable or unreadable), never a stack trace. */
@Tag("e2e")
class DiagnoseBadInputTest {
  @TempDir Path tmp;

  private void fails(int exit, String expect, String... args) throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, args);
    assertEquals(exit, r.exit(), r.stdout() + r.stderr());
    String err = r.stderr().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("ddsls: ") && err.contains(expect), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), err);
  }

  @Test
  void corruptPprof() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.write(dir.resolve("profile-0001-cpu.pb.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
    fails(3, "profile-0001-cpu.pb.gz", "diagnose", "--source", dir.toString());
  }

  @Test
  void corruptJfr() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.writeString(dir.resolve("rec.jfr"), "FLR\0 not really");
    fails(3, "rec.jfr", "diagnose", "--source", dir.toString());
  }

  @Test
  void truncatedSpanJson() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.writeString(dir.resolve("spans.jsonl"), "{\"trace_id\":1,\"span_id\":2,\"parent_id\":0,\"name\":\"aws.lambda\"}\n{\"trace_id\":1,\"span_");
    fails(3, "spans.jsonl", "diagnose", "--source", dir.toString());
    Files.delete(dir.resolve("spans.jsonl"));
    Files.writeString(dir.resolve("export.json"), "{\"data\":[{\"type\":\"spans\",\"attributes\":{\"span_id\":\"1\"");
    fails(3, "export.json", "diagnose", "--source", dir.toString());
  }

  @Test
  void unknownSourceAndBadOptions() throws Exception {
    fails(2, "no such file or directory: " + tmp.resolve("nowhere"), "diagnose", "--source", tmp.resolve("nowhere").toString());
    fails(2, "--since", "diagnose", "--source", tmp.toString(), "--since", "yesterday");
    fails(2, "--format", "diagnose", "--source", tmp.toString(), "--format", "pdf");
  }

  /** A file named alone that is none of the inputs fails the run; a directory of such files is reported as that. */
  @Test
  void inputsThatAreNoneOfWhatDiagnoseReads() throws Exception {
    Path passwd = Files.writeString(tmp.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    fails(3, "cannot read " + passwd + ": not an input diagnose reads", "diagnose", "--source", passwd.toString());
    Path dir = Files.createDirectories(tmp.resolve("etc"));
    Files.copy(passwd, dir.resolve("passwd"));
    Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
    CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", dir.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stderr());
    assertTrue(r.stdout().contains("none of the 2 files under " + dir + " is an input diagnose reads"), r.stdout());
  }

  @Test
  void unreadableDeploymentPackage() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.writeString(dir.resolve("spans.jsonl"), "{\"trace_id\":1,\"span_id\":2,\"parent_id\":0,\"name\":\"aws.lambda\","
        + "\"service\":\"f\",\"start\":1700000000000000000,\"duration\":5000000,\"meta\":{\"functionname\":\"f\","
        + "\"cold_start\":\"true\",\"handler\":\"com.example.Handler::handleRequest\"}}\n");
    fails(2, "--code", "diagnose", "--source", dir.toString(), "--code", tmp.resolve("absent.jar").toString());
    Path notZip = Files.writeString(tmp.resolve("function.jar"), "not a zip");
    fails(3, "function.jar", "diagnose", "--source", dir.toString(), "--code", notZip.toString());
  }

  @Test
  void unreachableCollector() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    fails(3, "cannot reach the collector", "diagnose", "--source", "http://127.0.0.1:" + port);
  }
}
