package dev.ddsls.collector;

import dev.ddsls.analysis.profile.ProfileContent;
import dev.ddsls.analysis.profile.ProfileFormat;
import dev.ddsls.analysis.profile.ProfileFormatException;
import dev.ddsls.formats.pprof.PprofFormatException;
import dev.ddsls.formats.pprof.ProtoReader;

/**
 * A profile attachment, stored raw (as uploaded) with what it is: {@code format} {@code pprof} or {@code jfr},
 * {@code compression} {@code gzip}, {@code zstd}, {@code lz4} or {@code none}, recognised by content with the
 * analysis' {@link ProfileContent} (the reader every source uses later). Every attachment is uncompressed here and
 * checked through to its end, so a truncated or corrupt upload is refused with a 400 instead of failing a report later;
 * a JFR recording is read whole by {@link JfrSpanIndexer}.
 */
final class Attachment {
  /** Four handler threads each hold at most one upload inflated: 2 GiB of heap at worst. */
  private static final long MAX_INFLATED = 512L << 20;

  final String name;
  final String format;
  final String compression;
  final byte[] data;
  /** The content uncompressed. */
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
    ProfileContent c;
    try {
      c = ProfileContent.of(data, MAX_INFLATED);
    } catch (ProfileFormatException e) {
      throw new Malformed(at + ": " + e.getMessage());
    }
    if (c.format == ProfileFormat.JFR) checkJfr(c.bytes, at);
    else checkProtobuf(c.bytes, at);
    return new Attachment(name, c.format.id, c.compression.id, data, c.bytes);
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

  private static boolean startsAt(byte[] d, int off, int... magic) {
    if (d.length - off < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((d[off + i] & 0xff) != magic[i]) return false;
    return true;
  }
}
