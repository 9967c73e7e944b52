import dev.ddsls.analysis.jfr.JfrProfiles;
import java.nio.file.Path;

/**
 * JfrProfiles.read alone, the best of N reads in one JVM: for A/B of two builds' analysis jars on the same recording
 * (docs/benchmarks.md, "Re-runs after the module layout"). Class path: ddsls-analysis, ddsls-formats, jackson.
 *
 *   java -cp CP bench/JfrReadBest.java N FILE.jfr
 */
public final class JfrReadBest {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    long best = Long.MAX_VALUE;
    int samples = 0;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      samples = 0;
      for (var p : JfrProfiles.read(Path.of(args[1]))) samples += p.samples().size();
      best = Math.min(best, System.nanoTime() - t);
    }
    System.out.printf("%d samples, best %.1f ms of %d reads%n", samples, best / 1e6, n);
  }
}
