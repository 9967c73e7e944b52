package dev.ddsls.collector;

import dev.ddsls.analysis.profile.Compression;
import dev.ddsls.analysis.profile.ProfileFormat;
import dev.ddsls.formats.pprof.Pprof;
import dev.ddsls.formats.pprof.PprofFormatException;
import dev.ddsls.formats.pprof.ProtoReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A profile attachment, stored raw (as uploaded) with what it is: {@code format} {@code pprof} or {@code jfr},
 * {@code compression} {@code gzip}, {@code zstd}, {@code lz4} or {@code none}, recognised by content with the
 * analysis' {@link Compression} and {@link ProfileFormat} (what every source uses later). Every attachment is
 * uncompressed here and checked through to its end, so a truncated or corrupt upload is refused with a 400 instead of
 * failing a report later; a JFR recording is read whole by {@link JfrSpanIndexer}.
 *
 * <p>All attachments of one upload share one inflate budget ({@link Inflate}), and every buffer the inflation grows is
 * taken from the request's share of the memory budget before it is allocated.
 */
final class Attachment {
  /** What all attachments of one upload may inflate to, together (docs/collector.md "Limits"). */
  static final long MAX_INFLATED_PER_UPLOAD = 512L << 20;
  /**
   * Samples a pprof may hold: a profile of 25 million empty samples (50 MB, 48 KB gzipped) takes the analysis minutes
   * and gigabytes to read, and no profiler writes one; a minute of 100 Hz samples on 100 threads is 600,000.
   */
  static final long MAX_PPROF_SAMPLES = 1_000_000;

  /** One upload's inflate budget: what its attachments may still inflate to, and the request's memory share. */
  static final class Inflate {
    private final MemoryBudget.Share share;
    private long left;

    Inflate(MemoryBudget.Share share, long max) {
      this.share = share;
      this.left = max;
    }
  }

  final String name;
  final String format;
  final String compression;
  final byte[] data;
  /** The content uncompressed. */
  final byte[] content;
  /** Samples in a pprof (0 for JFR): the span indexer's map grows with them. */
  final long samples;

  private Attachment(String name, String format, String compression, byte[] data, byte[] content, long samples) {
    this.name = name;
    this.format = format;
    this.compression = compression;
    this.data = data;
    this.content = content;
    this.samples = samples;
  }

  static Attachment of(String name, byte[] data, Inflate budget) throws Malformed, MemoryBudget.Exceeded {
    String at = "attachment " + name;
    if (data.length == 0) throw new Malformed(at + ": empty");
    Compression c = Compression.of(data);
    byte[] content = c == Compression.NONE ? data : inflate(c, data, at, budget);
    ProfileFormat f = ProfileFormat.of(content);
    if (content.length > f.maxBytes) throw new Malformed(at + ": a " + f.id + " profile over " + (f.maxBytes >> 20) + " MiB: refused");
    long samples = 0;
    if (f == ProfileFormat.JFR) checkJfr(content, at);
    else samples = checkProtobuf(content, at);
    return new Attachment(name, f.id, c.id, data, content, samples);
  }

  /**
   * Uncompresses into a buffer that grows by doubling; each growth is taken from the upload's inflate budget and the
   * request's memory share before it is made, so a bomb stops at the budget, not at the heap's end.
   */
  private static byte[] inflate(Compression c, byte[] data, String at, Inflate budget) throws Malformed, MemoryBudget.Exceeded {
    byte[] buf = new byte[0];
    int len = 0;
    try (InputStream in = c.open(data)) {
      while (true) {
        if (len == buf.length) {
          // First four times the compressed size (what profiles inflate to, about), then doubling.
          long grown = buf.length == 0 ? Math.max(65536, 4L * data.length) : Math.min(2L * buf.length, Integer.MAX_VALUE - 16);
          long more = Math.min(grown - buf.length, budget.left);
          if (more <= 0) {
            // One byte more tells a bomb from content that fills the budget exactly.
            if (in.read() < 0) break;
            throw new MemoryBudget.Exceeded(at + ": " + c.id + " data (" + data.length + " bytes) with the upload's other attachments"
                + " decompresses past " + MemoryBudget.mib(MAX_INFLATED_PER_UPLOAD) + ", the limit of one upload", true);
          }
          // The new buffer is taken whole while the old one is copied into it, then the old one is given back.
          int old = buf.length;
          budget.share.take(old + more, "inflating " + at);
          budget.left -= more;
          buf = Arrays.copyOf(buf, old + (int) more);
          budget.share.give(old);
        }
        int n = in.read(buf, len, buf.length - len);
        if (n < 0) break;
        len += n;
      }
    } catch (EOFException e) {
      throw new Malformed(at + ": truncated " + c.id + " data (" + data.length + " bytes)");
    } catch (IOException | RuntimeException e) {
      // The decoders report corrupt input as IOException or as a RuntimeException of their own (aircompressor's
      // MalformedInputException, lz4-java's LZ4Exception).
      throw new Malformed(at + ": corrupt " + c.id + " data: " + e.getMessage());
    }
    if (len == 0) throw new Malformed(at + ": " + c.id + " data (" + data.length + " bytes) decompresses to 0 bytes: not a profile");
    if (len == buf.length) return buf;
    // The exact copy is taken before it is made; then the larger buffer goes back.
    budget.share.take(len, "inflating " + at);
    byte[] exact = Arrays.copyOf(buf, len);
    budget.share.give(buf.length);
    budget.left += buf.length - len;
    return exact;
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

  /** Walks the protobuf wire format of a pprof Profile message: every field must be complete. Returns the samples. */
  private static long checkProtobuf(byte[] d, String at) throws Malformed {
    long samples = 0;
    try {
      ProtoReader profile = new ProtoReader(d, 0, d.length, "Profile");
      while (profile.hasMore()) {
        if (profile.nextField() == Pprof.PROFILE_SAMPLE && ++samples > MAX_PPROF_SAMPLES) {
          throw new Malformed(at + ": a pprof of more than " + MAX_PPROF_SAMPLES + " samples: refused (no profiler writes one; reading it would take minutes)");
        }
        profile.skip();
      }
    } catch (PprofFormatException e) {
      throw new Malformed(at + ": not a complete pprof (protobuf) message: " + e.getMessage());
    }
    return samples;
  }

  private static boolean startsAt(byte[] d, int off, int... magic) {
    if (d.length - off < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((d[off + i] & 0xff) != magic[i]) return false;
    return true;
  }
}
