import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.pprof.Profile;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import one.convert.Arguments;
import one.convert.JfrToPprof;
import one.jfr.JfrReader;

/**
 * JFR to profile: ddsls's JfrProfiles.read against async-profiler's jfr-converter (JfrReader + JfrToPprof) on the
 * same files. Single-file program; class path: ddsls-analysis, jackson (analysis's dependency), jfr-converter-4.2.
 *
 *   java -cp CP bench/JfrParseBench.java ROUNDS FILE.jfr...
 *
 * Each file: 3 warm-up rounds of each, then ROUNDS timed rounds alternating the two; prints the median ms.
 */
public final class JfrParseBench {
  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    System.out.println("| file | size MB | ddsls samples | ddsls ms (median) | jfr-converter pprof bytes | jfr-converter ms (median) |");
    System.out.println("|---|---|---|---|---|---|");
    for (int f = 1; f < args.length; f++) {
      Path file = Path.of(args[f]);
      long samples = 0;
      int bytes = 0;
      for (int i = 0; i < 3; i++) {
        samples = ddsls(file);
        bytes = converter(file);
      }
      long[] ours = new long[rounds], theirs = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        long t0 = System.nanoTime();
        ddsls(file);
        long t1 = System.nanoTime();
        converter(file);
        long t2 = System.nanoTime();
        ours[i] = t1 - t0;
        theirs[i] = t2 - t1;
      }
      System.out.printf(Locale.ROOT, "| %s | %.1f | %d | %.1f | %d | %.1f |%n", file.getFileName(), Files.size(file) / 1e6, samples,
          median(ours), bytes, median(theirs));
    }
  }

  /** Every cpu and wall profile of the file, as diagnose reads it. */
  static long ddsls(Path file) throws Exception {
    long n = 0;
    for (Profile p : JfrProfiles.read(file)) n += p.samples().size();
    return n;
  }

  /** jfr-converter's default (cpu) pprof conversion, to bytes in memory. */
  static int converter(Path file) throws Exception {
    try (JfrReader r = new JfrReader(file.toString())) {
      JfrToPprof c = new JfrToPprof(r, new Arguments());
      c.convert();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      c.dump(out);
      return out.size();
    }
  }

  static double median(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0) / 1e6;
  }
}
