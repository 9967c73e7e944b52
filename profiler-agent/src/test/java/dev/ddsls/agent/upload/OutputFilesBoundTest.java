package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DDSLS_OUTPUT_DIR keeps the newest profile numbers and span files, not one more set per flush forever. */
class OutputFilesBoundTest {
  @TempDir Path dir;

  private long count(String prefix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
    }
  }

  private static void profileSet(OutputFiles out) {
    String seq = OutputFiles.seq(out.nextProfileSeq());
    out.write("profile-" + seq + "-cpu.pb.gz", new byte[] {1});
    out.write("profile-" + seq + "-wall.pb.gz", new byte[] {2});
    out.write("event-" + seq + ".json", new byte[] {'{', '}'});
  }

  @Test
  void theOldestAreDeletedPastTheBoundWithOneLogLine() throws Exception {
    try (StderrCapture err = new StderrCapture()) {
      OutputFiles out = new OutputFiles(dir.toString(), 10);
      for (int i = 0; i < 50; i++) {
        profileSet(out);
        out.write("spans-" + OutputFiles.seq(out.nextSpansSeq()) + ".jsonl", new byte[] {'\n'});
      }
      assertTrue(count("event-") <= 11 && count("event-") >= 10, "events kept: " + count("event-"));
      assertEquals(count("event-") * 2, count("profile-"), "a number's files go together");
      assertTrue(count("spans-") <= 11 && count("spans-") >= 10, "span files kept: " + count("spans-"));
      assertTrue(Files.exists(dir.resolve("event-0050.json")) && Files.exists(dir.resolve("spans-0050.jsonl")), "the newest stay");
      assertFalse(Files.exists(dir.resolve("profile-0001-cpu.pb.gz")) || Files.exists(dir.resolve("spans-0001.jsonl")), "the oldest go");
      assertEquals(1, err.linesContaining("keeps the newest 10 profiles"), err.text());
      assertEquals(1, err.linesContaining("keeps the newest 10 span files"), err.text());
    }
  }

  /** A JVM started over a directory a former one filled: it numbers on and trims what the former one left. */
  @Test
  void aNewJvmOverAFullDirectoryTrimsIt() throws Exception {
    OutputFiles first = new OutputFiles(dir.toString(), 1000);
    for (int i = 0; i < 30; i++) profileSet(first);
    OutputFiles second = new OutputFiles(dir.toString(), 10);
    profileSet(second);
    assertTrue(Files.exists(dir.resolve("event-0031.json")));
    assertTrue(count("event-") <= 11, "events kept: " + count("event-"));
  }
}
