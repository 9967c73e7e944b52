package dev.ddsls.analysis.profile;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.xxhash.XXHashFactory;

/**
 * How a profile's bytes are compressed, recognised by the format's magic number as the Datadog intake does (never by
 * file name): gzip (RFC 1952), zstd frames (RFC 8878) and LZ4 frames (the LZ4 frame format, what lz4-java's
 * {@code LZ4FrameOutputStream} writes for dd-trace-java). Uncompressed content is {@link #NONE}.
 */
public enum Compression {
  GZIP("gzip", 0x1f, 0x8b),
  ZSTD("zstd", 0x28, 0xb5, 0x2f, 0xfd),
  LZ4("lz4", 0x04, 0x22, 0x4d, 0x18),
  NONE("none");

  /** The name the collector stores and serves ({@code X-Ddsls-Compression}). */
  public final String id;
  private final int[] magic;

  Compression(String id, int... magic) {
    this.id = id;
    this.magic = magic;
  }

  public static Compression of(byte[] data) {
    for (Compression c : values()) {
      if (c.magic.length > 0 && Magic.startsWith(data, 0, c.magic)) return c;
    }
    return NONE;
  }

  /**
   * A stream of the uncompressed content. The pure-Java decoders are used throughout: no native library is unpacked
   * at run time, and every input is bounds-checked (profiles arrive from the network).
   */
  public InputStream open(byte[] data) throws IOException {
    InputStream in = new ByteArrayInputStream(data);
    switch (this) {
      case GZIP: return new GZIPInputStream(in, 65536);
      case ZSTD: return new ZstdInputStream(in);
      case LZ4: return new LZ4FrameInputStream(in, LZ4Factory.safeInstance().safeDecompressor(), XXHashFactory.safeInstance().hash32());
      default: return in;
    }
  }
}
