import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The measurement behind the choice of decompression libraries (docs/profile.md "Reading profiles"): one profile
 * compressed with zstd, lz4 (frame format) and gzip at their default levels, then decompressed by each candidate.
 * Single-file program; class path: aircompressor-2.0.3, zstd-jni-1.5.7-x, lz4-java-1.14.1 (at.yawk.lz4).
 *
 *   java -cp CP bench/DecompressBench.java ROUNDS FILE
 *
 * Prints, per decoder, the best and the mean of ROUNDS timed rounds after 5 warm-up rounds; every round's output is
 * checked against the original.
 */
public final class DecompressBench {
  interface Decoder { InputStream open(byte[] b) throws IOException; }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    byte[] raw = Files.readAllBytes(Path.of(args[1]));
    byte[] zstd = com.github.luben.zstd.Zstd.compress(raw, 3);
    ByteArrayOutputStream lz4 = new ByteArrayOutputStream();
    try (OutputStream o = new net.jpountz.lz4.LZ4FrameOutputStream(lz4)) { o.write(raw); }
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(gz)) { o.write(raw); }
    System.out.printf("raw %d bytes; zstd %d, lz4 %d, gzip %d%n", raw.length, zstd.length, lz4.size(), gz.size());
    run("zstd aircompressor (Java)", rounds, zstd, b -> new io.airlift.compress.zstd.ZstdInputStream(new ByteArrayInputStream(b)), raw);
    run("zstd zstd-jni (JNI)", rounds, zstd, b -> new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(b)), raw);
    run("lz4 lz4-java safe (Java)", rounds, lz4.toByteArray(), b -> new net.jpountz.lz4.LZ4FrameInputStream(new ByteArrayInputStream(b),
        net.jpountz.lz4.LZ4Factory.safeInstance().safeDecompressor(), net.jpountz.xxhash.XXHashFactory.safeInstance().hash32()), raw);
    run("lz4 lz4-java fastest (JNI)", rounds, lz4.toByteArray(), b -> new net.jpountz.lz4.LZ4FrameInputStream(new ByteArrayInputStream(b)), raw);
    run("gzip JDK", rounds, gz.toByteArray(), b -> new GZIPInputStream(new ByteArrayInputStream(b), 65536), raw);
  }

  static void run(String name, int rounds, byte[] in, Decoder d, byte[] raw) throws Exception {
    long best = Long.MAX_VALUE, sum = 0;
    for (int i = 0; i < rounds + 5; i++) {
      long t = System.nanoTime();
      byte[] out;
      try (InputStream s = d.open(in)) { out = s.readAllBytes(); }
      t = System.nanoTime() - t;
      if (!Arrays.equals(out, raw)) throw new AssertionError(name + " decoded something else");
      if (i >= 5) {
        sum += t;
        best = Math.min(best, t);
      }
    }
    System.out.printf("%-28s best %6.1f ms  mean %6.1f ms  %5.0f MB/s%n", name, best / 1e6, sum / rounds / 1e6, raw.length / (best / 1e9) / 1e6);
  }
}
