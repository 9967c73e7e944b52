package dev.ddsls.analysis.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.formats.pprof.ProfileBuilder;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Test;

/** Profiles recognised by content: every compression dd-trace-java uploads with, over both formats. */
class ProfileContentTest {
  interface Compressor { OutputStream wrap(OutputStream out) throws IOException; }

  static byte[] compress(Compressor c, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream o = c.wrap(out)) { o.write(data); }
    return out.toByteArray();
  }

  static final Compressor GZIP = GZIPOutputStream::new, ZSTD = ZstdOutputStream::new, LZ4 = LZ4FrameOutputStream::new;

  private static byte[] ddJfr() throws Exception {
    return Files.readAllBytes(Path.of(ProfileContentTest.class.getResource("/jfr/dd-trace-java-1.65.1-jdk.jfr").toURI()));
  }

  @Test void everyCompressionOfAJfrIsRecognisedAndRead() throws Exception {
    byte[] jfr = ddJfr();
    int samples = ProfileReader.read("raw", jfr).inputs().get(0).profile().samples().size();
    Object[][] cases = {{Compression.NONE, jfr}, {Compression.GZIP, compress(GZIP, jfr)}, {Compression.ZSTD, compress(ZSTD, jfr)}, {Compression.LZ4, compress(LZ4, jfr)}};
    for (Object[] c : cases) {
      ProfileReader.Read r = ProfileReader.read("main.jfr", (byte[]) c[1]);
      assertEquals(c[0], r.compression());
      assertEquals(ProfileFormat.JFR, r.format());
      assertArrayEquals(jfr, ProfileContent.of((byte[]) c[1]).bytes);
      assertEquals(List.of("main.jfr#cpu"), r.inputs().stream().map(i -> i.id()).toList());
      assertEquals(samples, r.inputs().get(0).profile().samples().size(), c[0] + "");
    }
  }

  @Test void aZstdPprofIsRecognisedAsPprof() throws Exception {
    byte[] pprof = new ProfileBuilder(new String[][] {{"cpu", "nanoseconds"}}, "cpu", "nanoseconds", 10_000_000).encode();
    ProfileContent c = ProfileContent.of(compress(ZSTD, pprof));
    assertEquals(Compression.ZSTD, c.compression);
    assertEquals(ProfileFormat.PPROF, c.format);
  }

  @Test void brokenCompressedDataIsOneClearError() throws Exception {
    byte[] jfr = ddJfr();
    for (Compressor k : new Compressor[] {GZIP, ZSTD, LZ4}) {
      byte[] whole = compress(k, jfr);
      byte[] cut = Arrays.copyOf(whole, whole.length / 2);
      ProfileFormatException e = assertThrows(ProfileFormatException.class, () -> ProfileReader.read("x", cut));
      assertTrue(!e.getMessage().contains("\n") && e.getMessage().matches(".*(truncated|corrupt|not a readable JFR).*"), e.getMessage());
    }
  }

  /** 130 MiB of zeros compress to a few KB; a pprof may inflate to 128 MiB at most, so reading stops there. */
  @Test void aDecompressionBombIsRefusedAtTheFormatsBound() throws Exception {
    for (Compressor k : new Compressor[] {GZIP, ZSTD, LZ4}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream o = k.wrap(out)) {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 130; i++) o.write(zeros);
      }
      ProfileFormatException e = assertThrows(ProfileFormatException.class, () -> ProfileContent.of(out.toByteArray()));
      assertTrue(e.getMessage().contains("decompresses past 128 MiB"), e.getMessage());
    }
  }
}
