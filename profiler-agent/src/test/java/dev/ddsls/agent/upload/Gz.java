package dev.ddsls.agent.upload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Real gzipped test payloads. */
final class Gz {
  private Gz() {}

  static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Gzip of random bytes: about {@code n} bytes long, since random data does not compress. */
  static byte[] incompressible(int n, long seed) {
    byte[] raw = new byte[n];
    new Random(seed).nextBytes(raw);
    return gzip(raw);
  }

  static boolean isGzip(byte[] b) { return b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b; }
}
