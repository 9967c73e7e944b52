package dev.ddsls.cli.profile;

import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads profile files: pprof (gzipped or raw) or JFR (recognised by its {@code FLR\0} magic, whatever the name). */
final class ProfileFiles {
  private ProfileFiles() {}

  static List<ProfileInput> read(List<Path> files) {
    List<ProfileInput> out = new ArrayList<>();
    for (Path f : files) {
      if (!Files.isRegularFile(f)) throw new Cli.Failure(Cli.UNAVAILABLE, "no such file: " + f);
      try {
        if (isJfr(f)) {
          for (Profile p : JfrProfiles.read(f)) out.add(new ProfileInput(f + "#" + p.sampleTypes().get(1).type(), p));
        } else {
          out.add(new ProfileInput(f.toString(), PprofReader.read(f)));
        }
      } catch (IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new Cli.Failure(Cli.UNAVAILABLE, "cannot read " + (m.contains(f.toString()) ? m : f + ": " + m));
      }
    }
    return out;
  }

  private static boolean isJfr(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4 && magic[0] == 'F' && magic[1] == 'L' && magic[2] == 'R' && magic[3] == 0;
    }
  }
}
