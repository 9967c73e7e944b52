package dev.ddsls.analysis.profile;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A profile's bytes as stored or uploaded, recognised by content: the compression from its magic, then the format
 * from the first uncompressed bytes. The content is inflated at most to its format's bound, so a small bomb is refused
 * before it fills the heap.
 */
public final class ProfileContent {
  public final Compression compression;
  public final ProfileFormat format;
  /** The uncompressed profile. */
  public final byte[] bytes;

  private ProfileContent(Compression compression, ProfileFormat format, byte[] bytes) {
    this.compression = compression;
    this.format = format;
    this.bytes = bytes;
  }

  /** Recognises and uncompresses {@code data}; fails with what is wrong (empty, broken or oversized compression). */
  public static ProfileContent of(byte[] data) throws ProfileFormatException { return of(data, Long.MAX_VALUE); }

  /** As {@link #of(byte[])}, with the content bounded further to {@code maxBytes} (a server's per-request budget). */
  public static ProfileContent of(byte[] data, long maxBytes) throws ProfileFormatException {
    if (data.length == 0) throw new ProfileFormatException("empty: not a profile");
    Compression c = Compression.of(data);
    if (c == Compression.NONE) {
      ProfileFormat f = ProfileFormat.of(data);
      if (data.length > Math.min(f.maxBytes, maxBytes)) throw new ProfileFormatException("a " + f.id + " profile over " + (Math.min(f.maxBytes, maxBytes) >> 20) + " MiB: refused");
      return new ProfileContent(c, f, data);
    }
    try (InputStream in = c.open(data)) {
      byte[] head = in.readNBytes(4);
      if (head.length == 0) throw new ProfileFormatException(c.id + " data (" + data.length + " bytes) decompresses to 0 bytes: not a profile");
      ProfileFormat f = ProfileFormat.of(head);
      long max = Math.min(f.maxBytes, maxBytes);
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, Math.max(65536, 4L * data.length)));
      out.write(head);
      byte[] buf = new byte[65536];
      // Refused before the write that would pass the bound: the buffer never grows past it (a write past a
      // 128 MiB buffer would double it to 256 MiB first, and a bomb's refusal would need as much heap as its reading).
      for (int n; (n = in.read(buf)) > 0; ) {
        if (out.size() + (long) n > max) {
          throw new ProfileFormatException(c.id + " data (" + data.length + " bytes) decompresses past " + (max >> 20) + " MiB: refused");
        }
        out.write(buf, 0, n);
      }
      return new ProfileContent(c, f, out.toByteArray());
    } catch (ProfileFormatException e) {
      throw e;
    } catch (EOFException e) {
      throw new ProfileFormatException("truncated " + c.id + " data (" + data.length + " bytes)", e);
    } catch (IOException | RuntimeException e) {
      // The decoders report corrupt input as IOException or as a RuntimeException of their own (aircompressor's
      // MalformedInputException, lz4-java's LZ4Exception).
      throw new ProfileFormatException("corrupt " + c.id + " data: " + e.getMessage(), e);
    }
  }

  /** The first bytes in hex, for messages about content that is no profile. */
  public static String head(byte[] d) {
    StringBuilder hex = new StringBuilder();
    for (byte b : Arrays.copyOf(d, Math.min(4, d.length))) hex.append(String.format(" %02x", b & 0xff));
    return hex.toString().trim();
  }
}
