package dev.ddsls.analysis.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.zstd.ZstdOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of a directory are profiles, and what one reader makes of them whatever their names. */
class ProfileReaderTest {
  @TempDir Path tmp;

  private static byte[] ddJfr() throws Exception {
    return Files.readAllBytes(Path.of(ProfileReaderTest.class.getResource("/jfr/dd-trace-java-1.65.1-ddprof.jfr").toURI()));
  }

  @Test void profilesAreFoundByContentOrByAProfileName() throws Exception {
    byte[] zstdJfr = ProfileContentTest.compress(ZstdOutputStream::new, ddJfr());
    assertTrue(ProfileReader.isProfile(Files.write(tmp.resolve("main.bin"), zstdJfr)), "by its zstd magic, whatever the name");
    assertTrue(ProfileReader.isProfile(Files.write(tmp.resolve("upload"), ddJfr())), "by JFR's magic");
    assertTrue(ProfileReader.isProfile(Files.writeString(tmp.resolve("cpu.pprof"), "x")), "raw pprof has no magic: by name");
    assertTrue(ProfileReader.isProfile(Files.writeString(tmp.resolve("rec.jfr"), "broken")), "a broken .jfr is read, so reported");
    assertFalse(ProfileReader.isProfile(Files.writeString(tmp.resolve("spans.jsonl"), "{}")));
    assertFalse(ProfileReader.isProfile(Files.writeString(tmp.resolve("notes"), "plain text")));
  }

  @Test void aCompressedDdTraceJavaRecordingGivesCpuAndWallWithNotes() throws Exception {
    Path f = Files.write(tmp.resolve("main.jfr.zst"), ProfileContentTest.compress(ZstdOutputStream::new, ddJfr()));
    ProfileReader.Read r = ProfileReader.read(f, "main.jfr.zst");
    assertEquals(List.of("main.jfr.zst#cpu", "main.jfr.zst#wall"), r.inputs().stream().map(i -> i.id()).toList());
    assertEquals(List.of("main.jfr.zst: 197 datadog.ObjectSample events not read: a kind of sample ddsls does not analyse"), r.notes("main.jfr.zst"));
    ProfileNotes notes = new ProfileNotes();
    notes.add(r);
    notes.add(r);
    assertEquals(List.of("394 datadog.ObjectSample events not read: a kind of sample ddsls does not analyse (in 2 recordings)"), notes.lines());
  }

  @Test void anUnreadableFileNamesItselfAndTheCause() throws Exception {
    Path f = Files.write(tmp.resolve("p.pb.gz"), ProfileContentTest.compress(GZIPOutputStream::new, "not protobuf at all".getBytes()));
    ProfileFormatException e = assertThrows(ProfileFormatException.class, () -> ProfileReader.read(f, "p.pb.gz"));
    assertTrue(e.getMessage().startsWith("p.pb.gz: (after gzip) "), e.getMessage());
  }
}
