package dev.ddsls.cli.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.CliProcess;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crafted inputs of issue 15 ({@code src/test/resources/hostile/}, made by its {@code craft.py}), each given to the
 * CLI as a process, as a user would: every one is answered with one line naming the file and exit 3 (unreadable) in
 * well under the process timeout, in a 512 MiB heap, never a hang, a stack trace or exit 1.
 */
@Tag("e2e")
@Order(2) // long: started early, so that short classes, not it, end the part that runs beside others
class HostileInputsTest {
  private static final Path HOSTILE = Path.of("target", "test-classes", "hostile").toAbsolutePath();
  /** A heap far below the machine's default: the readers' bounds, not a large heap, keep them within it. */
  private static final List<String> HEAP = List.of("-Xmx512m");
  private static final int TIMEOUT_SECONDS = 60;

  @TempDir Path tmp;

  private CliProcess.Result unreadable(String file, String expect, String... args) throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), HEAP, TIMEOUT_SECONDS, args);
    String err = r.stderr().strip();
    assertEquals(3, r.exit(), String.join(" ", args) + ": " + r.stdout() + err);
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("ddsls: cannot read ") && err.contains(file), err);
    assertTrue(err.contains(expect), "expected '" + expect + "': " + err);
    assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), err);
    return r;
  }

  /** diagnose over the file (as a source of one file) and profile top of it. */
  private void profile(String file, String expect) throws Exception {
    String path = HOSTILE.resolve(file).toString();
    unreadable(file, expect, "diagnose", "--source", path, "--quiet");
    unreadable(file, expect, "profile", "top", path);
  }

  @Test
  void jfrConstantPoolDeltaOf2pow32() throws Exception { profile("cp-delta-2pow32.jfr", "points outside its chunk"); }

  @Test
  void jfrStringTableOverTheVmArrayLimit() throws Exception { profile("string-table-2pow31.jfr", "metadata string table of 2147483647"); }

  @Test
  void jfrCharStringOverTheVmArrayLimit() throws Exception { profile("char-string-2pow31.jfr", "string length of 2147483639"); }

  @Test
  void jfrMetadataNested100000Deep() throws Exception { profile("deep-metadata.jfr.gz", "metadata nested over 32 levels"); }

  /** The bombs take seconds each to inflate to the bound: one command each (they share the reader). */
  @Test
  void gzipBomb() throws Exception {
    unreadable("bomb-160mib.pb.gz", "decompresses past 128 MiB", "diagnose", "--source", HOSTILE.resolve("bomb-160mib.pb.gz").toString(),
        "--quiet");
  }

  @Test
  void zstdBomb() throws Exception {
    unreadable("bomb-200mib.pb.zst", "decompresses past 128 MiB", "profile", "convert", HOSTILE.resolve("bomb-200mib.pb.zst").toString(),
        "-o", tmp.resolve("out.pb.gz").toString());
  }

  /** An lz4 frame of 130 MiB of zeros (made here: some 500 KB compressed, too large to keep). */
  @Test
  void lz4Bomb() throws Exception {
    Path bomb = tmp.resolve("bomb.pb.lz4");
    try (OutputStream out = new LZ4FrameOutputStream(Files.newOutputStream(bomb))) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 130; i++) out.write(zeros);
    }
    unreadable("bomb.pb.lz4", "lz4 data", "profile", "top", bomb.toString());
  }

  @Test
  void twentyFiveMillionEmptySamples() throws Exception { profile("empty-samples-25m.pb.gz", "more than 2000000 samples"); }

  /** In a heap too small for what the bounds allow, the OutOfMemoryError is one line naming the file, exit 3. */
  @Test
  void aHeapTooSmallForTheInputIsOneLine() throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), List.of("-Xmx48m"), TIMEOUT_SECONDS, "profile", "top",
        HOSTILE.resolve("empty-samples-25m.pb.gz").toString());
    String err = r.stderr().strip();
    assertEquals(3, r.exit(), err);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("ddsls: cannot read ") && err.contains("empty-samples-25m.pb.gz: too large for this heap of"), err);
  }

  @Test
  void packedLengthOf2pow62() throws Exception { profile("packed-length-2pow62.pb", "exceeds the 2 bytes left"); }

  @Test
  void randomBytesBehindCodecMagic() throws Exception {
    profile("random-after-magic.zst", "corrupt zstd data");
    profile("random-after-magic.lz4", "corrupt lz4 data");
  }

  @Test
  void spanLinesThatAreNotUtf8() throws Exception {
    unreadable("bad-utf8.jsonl", "not UTF-8", "diagnose", "--source", HOSTILE.resolve("bad-utf8.jsonl").toString(), "--quiet");
  }

  /** Span ids written as 1e-99999999 and 1e9999999: read as no id at once (they took minutes before). */
  @Test
  void spanIdsWithHugeExponents() throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), HEAP, TIMEOUT_SECONDS, "diagnose", "--source",
        HOSTILE.resolve("huge-exponent-ids.jsonl").toString(), "--quiet", "--format", "json");
    assertEquals(0, r.exit(), r.stderr());
    assertTrue(r.stdout().contains("\"spans\" : 2") || r.stdout().contains("\"spans\":2"), r.stdout());
  }

  @Test
  void deeplyNestedJson() throws Exception {
    unreadable("deep-arrays.json", "nesting depth", "diagnose", "--source", HOSTILE.resolve("deep-arrays.json").toString(), "--quiet");
    unreadable("xray-deep-document.json", "nesting depth", "diagnose", "--source", HOSTILE.resolve("xray-deep-document.json").toString(),
        "--quiet");
  }

  /** A 24 MiB platform log without one newline: read, not a platform line, nothing to report (exit 0) or one line. */
  @Test
  void aLogOfOneEnormousLine() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("logs"));
    try (OutputStream out = Files.newOutputStream(dir.resolve("function.log"))) {
      out.write("REPORT RequestId: ".getBytes(StandardCharsets.US_ASCII));
      byte[] a = new byte[1 << 20];
      Arrays.fill(a, (byte) 'a');
      for (int i = 0; i < 24; i++) out.write(a);
    }
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), HEAP, TIMEOUT_SECONDS, "diagnose", "--source", dir.toString(), "--quiet");
    assertTrue(r.exit() == 0 || r.exit() == 3, r.stderr());
    assertTrue(r.stderr().strip().lines().count() <= 1, r.stderr());
    assertFalse(r.stderr().contains("\tat "), r.stderr());
  }

  /** An event file past Lambda's 6 MB payload limit (sparse: 7 GB) is refused before any JVM starts, not read whole. */
  @Test
  void anEventLargerThanLambdaTakes() throws Exception {
    Path event = tmp.resolve("event.json");
    try (RandomAccessFile f = new RandomAccessFile(event.toFile(), "rw")) {
      f.setLength(7L << 30);
    }
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), HEAP, TIMEOUT_SECONDS, "coldstart", "--jar", CliProcess.examplesJar().toString(),
        "--handler", "example.HelloHandler::handleRequest", "--runs", "1", "--event", event.toString(), "--out", tmp.resolve("out").toString());
    assertEquals(2, r.exit(), r.stderr());
    assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    assertTrue(r.stderr().contains("--event " + event + ": 7516192768 bytes, over the 6 MB"), r.stderr());
  }

  /** A function named like an HTML tag is shown, escaped, in the Markdown report: never passed through as markup. */
  @Test
  void markdownEscapesHtmlInNames() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("spans"));
    Files.writeString(dir.resolve("spans.jsonl"), "{\"trace_id\":1,\"span_id\":2,\"parent_id\":0,\"name\":\"aws.lambda\","
        + "\"service\":\"<img src=x onerror=alert(1)>\",\"start\":1700000000000000000,\"duration\":5000000,\"meta\":{"
        + "\"functionname\":\"<script>alert(1)</script>\",\"cold_start\":\"true\"}}\n");
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), HEAP, TIMEOUT_SECONDS, "diagnose", "--source", dir.toString(), "--quiet",
        "--format", "markdown");
    assertEquals(0, r.exit(), r.stderr());
    assertFalse(r.stdout().contains("<script") || r.stdout().contains("<img"), r.stdout());
    assertTrue(r.stdout().contains("&lt;script&gt;"), r.stdout());
  }
}
