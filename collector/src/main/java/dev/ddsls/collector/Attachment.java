package dev.ddsls.collector;

import dev.ddsls.formats.pprof.PprofFormatException;
import dev.ddsls.formats.pprof.ProtoReader;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/**
 * A profile attachment, stored raw (as uploaded) with what it is: {@code format} {@code pprof} or {@code jfr},
 * {@code compression} {@code gzip}, {@code zstd}, {@code lz4} or {@code none}, sniffed from magic bytes like the
 * Datadog intake does. Gzip and uncompressed content is checked through to its end, so a truncated upload is
 * refused; zstd and lz4 (no JDK decoder) are taken as they come.
 */
final class Attachment {
  private static final long MAX_INFLATED = 512L << 20;

  final String name;
  final String format;
  final String compression;
  final byte[] data;
  /** The content uncompressed when the check inflated it (gzip) or it came so (none); null for zstd and lz4. */
  final byte[] content;

  private Attachment(String name, String format, String compression, byte[] data, byte[] content) {
    this.name = name;
    this.format = format;
    this.compression = compression;
    this.data = data;
    this.content = content;
  }

  static Attachment of(String name, byte[] data) throws Malformed {
    String at = "attachment " + name;
    if (data.length == 0) throw new Malformed(at + ": empty");
    String compression = compression(data);
    switch (compression) {
      case "gzip": {
        byte[] inflated = gunzip(data, at);
        return new Attachment(name, check(inflated, name, at), compression, data, inflated);
      }
      case "none":
        return new Attachment(name, check(data, name, at), compression, data, data);
      default:
        return new Attachment(name, name.endsWith(".jfr") ? "jfr" : "pprof", compression, data, null);
    }
  }

  static String compression(byte[] d) {
    if (starts(d, 0x1f, 0x8b)) return "gzip";
    if (starts(d, 0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
    if (starts(d, 0x04, 0x22, 0x4d, 0x18)) return "lz4";
    return "none";
  }

  private static String check(byte[] d, String name, String at) throws Malformed {
    if (starts(d, 'F', 'L', 'R', 0)) {
      checkJfr(d, at);
      return "jfr";
    }
    checkProtobuf(d, at);
    return "pprof";
  }

  /** A JFR file is a sequence of chunks; each header holds its own size at offset 8. They must add up. */
  private static void checkJfr(byte[] d, String at) throws Malformed {
    long pos = 0;
    while (pos < d.length) {
      if (d.length - pos < 68 || !startsAt(d, (int) pos, 'F', 'L', 'R', 0)) {
        throw new Malformed(at + ": JFR chunk header missing or truncated at byte " + pos);
      }
      long size = 0;
      for (int i = 0; i < 8; i++) size = (size << 8) | (d[(int) pos + 8 + i] & 0xff);
      if (size < 68 || size > d.length - pos) throw new Malformed(at + ": JFR chunk at byte " + pos + " declares " + size + " bytes, " + (d.length - pos) + " present (truncated?)");
      pos += size;
    }
  }

  /** Walks the protobuf wire format of a pprof Profile message: every field must be complete. */
  private static void checkProtobuf(byte[] d, String at) throws Malformed {
    try {
      ProtoReader profile = new ProtoReader(d, 0, d.length, "Profile");
      while (profile.hasMore()) {
        profile.nextField();
        profile.skip();
      }
    } catch (PprofFormatException e) {
      throw new Malformed(at + ": not a complete pprof (protobuf) message: " + e.getMessage());
    }
  }

  private static byte[] gunzip(byte[] data, String at) throws Malformed {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 65536)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 4);
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        if (out.size() > MAX_INFLATED) throw new Malformed(at + ": inflates beyond " + (MAX_INFLATED >> 20) + " MiB");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new Malformed(at + ": broken gzip: " + e.getMessage());
    }
  }

  private static boolean starts(byte[] d, int... magic) { return startsAt(d, 0, magic); }

  private static boolean startsAt(byte[] d, int off, int... magic) {
    if (d.length - off < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((d[off + i] & 0xff) != magic[i]) return false;
    return true;
  }
}
