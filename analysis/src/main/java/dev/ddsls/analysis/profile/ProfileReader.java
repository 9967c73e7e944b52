package dev.ddsls.analysis.profile;

import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one reader for every profile ddsls is given, from any source (a directory, a collector, a file named on the
 * command line): pprof or JFR, uncompressed or gzip, zstd or lz4, recognised by content ({@link ProfileContent}).
 * A JFR recording gives one profile per kind of sample ({@code ID#cpu}, {@code ID#wall}); what its reader had to
 * leave out comes back as notes.
 */
public final class ProfileReader {
  private static final String[] PROFILE_NAMES = {".pb", ".pprof", ".pb.gz", ".pprof.gz", ".jfr"};

  private ProfileReader() {}

  /**
   * The profiles in one input, and what its reader left out of them or weighted by default, counted by reason
   * ({@link JfrProfiles.Recording#leftOut}); {@link ProfileNotes} sums these over many inputs. It keeps what the input
   * was, not its bytes: a source holds the reads of all its profiles until the report is built.
   */
  public record Read(Compression compression, ProfileFormat format, List<ProfileInput> inputs, Map<String, Integer> leftOut) {
    /** One line per reason, naming {@code id}: for a single file. */
    public List<String> notes(String id) {
      List<String> out = new ArrayList<>();
      leftOut.forEach((what, n) -> out.add(id + ": " + n + " " + what));
      return out;
    }
  }

  public static Read read(String id, byte[] data) throws ProfileFormatException {
    ProfileContent c = ProfileContent.of(data);
    try {
      if (c.format == ProfileFormat.JFR) {
        JfrProfiles.Recording r = JfrProfiles.read(c.bytes);
        List<ProfileInput> inputs = new ArrayList<>();
        for (Profile p : r.profiles()) inputs.add(new ProfileInput(id + "#" + p.sampleTypes().get(1).type(), p));
        return new Read(c.compression, c.format, inputs, r.leftOut());
      }
      return new Read(c.compression, c.format, List.of(new ProfileInput(id, PprofReader.read(c.bytes))), Map.of());
    } catch (IOException e) { // PprofFormatException, or JFR that cannot be read
      throw new ProfileFormatException(where(c) + e.getMessage(), e);
    } catch (RuntimeException | StackOverflowError e) {
      // The readers check what they read (their fuzz tests look for anything else thrown); should one still let out
      // an exception, the input is unreadable like any other, not a crash of the whole report.
      throw new ProfileFormatException(where(c) + "not a readable " + c.format.id + " profile (" + e + ")", e);
    }
  }

  private static String where(ProfileContent c) { return c.compression == Compression.NONE ? "" : "(after " + c.compression.id + ") "; }

  /** Reads {@code file}; the message of a failure names {@code id}. */
  public static Read read(Path file, String id) throws IOException {
    long size = Files.size(file);
    if (size > JfrProfiles.MAX_BYTES) {
      throw new ProfileFormatException(id + ": " + (size >> 20) + " MiB, over the " + (JfrProfiles.MAX_BYTES >> 20) + " MiB a profile may have");
    }
    try {
      return read(id, Files.readAllBytes(file));
    } catch (ProfileFormatException e) {
      throw new ProfileFormatException(id + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether a file found in a directory is to be read as a profile: its first bytes are a compression's or JFR's
   * magic, or it is named as a profile ({@code .pb}, {@code .pprof}: raw pprof has no magic; {@code .pb.gz},
   * {@code .jfr}: so that a broken one is reported, not passed over).
   */
  public static boolean isProfile(Path file) throws IOException {
    String name = file.getFileName().toString();
    for (String ext : PROFILE_NAMES) if (name.endsWith(ext)) return true;
    if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".log") || name.endsWith(".txt")) return false;
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(4);
    }
    return Compression.of(head) != Compression.NONE || ProfileFormat.of(head) == ProfileFormat.JFR;
  }
}
