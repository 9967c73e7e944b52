package dev.ddsls.cli.profile;

import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.profile.ProfileReader;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads profile files with {@link ProfileReader}: pprof or JFR, any compression, whatever the name. */
final class ProfileFiles {
  private ProfileFiles() {}

  static List<ProfileInput> read(List<Path> files) {
    List<ProfileInput> out = new ArrayList<>();
    for (Path f : files) {
      if (!Files.isRegularFile(f)) throw new Cli.Failure(Cli.UNAVAILABLE, "no such file: " + f);
      try {
        ProfileReader.Read r = ProfileReader.read(f, f.toString());
        out.addAll(r.inputs());
        for (String n : r.notes(f.toString())) System.err.println("note: " + n);
      } catch (IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read " + (m.contains(f.toString()) ? m : f + ": " + m), e);
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        throw Cli.unreadable(f.toString(), e);
      }
    }
    return out;
  }
}
