package dev.ddsls.analysis.pprof;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Top frames and packages of a profile by self value, the "where does the time go" tables. */
public final class FrameStats {
  /** Package of frames that are not Java methods (native and kernel symbols). */
  public static final String NATIVE = "(native)";
  /** Package of classes in the unnamed package. */
  public static final String DEFAULT_PACKAGE = "(default package)";

  private FrameStats() {}

  /** The {@code limit} frames with the highest self value (then total), by value {@code valueIndex}. */
  public static List<FrameStat> top(Profile p, int valueIndex, int limit) {
    return rank(p, valueIndex, limit, UnaryOperator.identity());
  }

  /** Like {@link #top}, with frames grouped by {@link #groupOf}: packages, and JVM activities for native frames. */
  public static List<FrameStat> topPackages(Profile p, int valueIndex, int limit) {
    return rank(p, valueIndex, limit, FrameStats::groupOf);
  }

  /** {@link #packageOf} for Java frames; the JVM activity ({@code jvm:class-loading}, ...) for native ones. */
  public static String groupOf(String frame) {
    return FrameKind.isJavaMethod(frame) ? packageOf(frame) : JvmActivity.of(frame).key();
  }

  /**
   * The package of a frame name {@code package.Class.method}: everything before {@code .Class.method},
   * cut to the first three segments for well-known libraries (e.g. {@code com.fasterxml.jackson}).
   * Names that are not Java methods give {@link #NATIVE}; classes without a package {@link #DEFAULT_PACKAGE}.
   */
  public static String packageOf(String frame) {
    if (!FrameKind.isJavaMethod(frame)) return NATIVE; // never a fake package such as pthread_mutex_lock@@GLIBC_2
    frame = FrameKind.stripLambdaSuffix(frame);
    int methodDot = frame.lastIndexOf('.');
    int classDot = frame.lastIndexOf('.', methodDot - 1);
    if (classDot <= 0) return DEFAULT_PACKAGE;
    String pkg = frame.substring(0, classDot);
    if (FrameKind.isKnownRoot(pkg + ".")) return firstSegments(pkg, 3);
    return pkg;
  }

  /** Whether a frame belongs to the JDK, the runtime client, an agent, a library, or native code: not the function's own code. */
  public static boolean isLibrary(String frame) { return FrameKind.of(frame) != FrameKind.OWN; }

  /** Like {@link #isLibrary}, with own code limited to the handler's package when it is known (null: unknown). */
  public static boolean isLibrary(String frame, OwnCode own) { return FrameKind.of(frame, own) != FrameKind.OWN; }

  private static String firstSegments(String pkg, int n) {
    int end = -1;
    for (int i = 0; i < n; i++) {
      end = pkg.indexOf('.', end + 1);
      if (end < 0) return pkg;
    }
    return pkg.substring(0, end);
  }

  private static final class Acc {
    long self, total;
    int lastSample = -1; // counts a key once per sample, however often it recurs on the stack
  }

  private static List<FrameStat> rank(Profile p, int valueIndex, int limit, UnaryOperator<String> key) {
    if (valueIndex < 0 || valueIndex >= p.sampleTypes().size()) {
      throw new IllegalArgumentException("value index " + valueIndex + " out of range, profile has "
          + p.sampleTypes().size() + " sample types");
    }
    Map<String, Acc> byKey = new HashMap<>();
    long sum = 0;
    List<ProfileSample> samples = p.samples();
    for (int s = 0; s < samples.size(); s++) {
      ProfileSample sample = samples.get(s);
      long v = sample.value(valueIndex);
      sum += v;
      List<String> stack = sample.stack();
      for (int d = 0; d < stack.size(); d++) {
        Acc a = byKey.computeIfAbsent(key.apply(stack.get(d)), k -> new Acc());
        if (d == 0) a.self += v;
        if (a.lastSample != s) {
          a.lastSample = s;
          a.total += v;
        }
      }
    }
    List<FrameStat> stats = new ArrayList<>(byKey.size());
    for (Map.Entry<String, Acc> e : byKey.entrySet()) {
      Acc a = e.getValue();
      stats.add(new FrameStat(e.getKey(), a.self, a.total, pct(a.self, sum), pct(a.total, sum)));
    }
    stats.sort((x, y) -> x.selfValue() != y.selfValue() ? Long.compare(y.selfValue(), x.selfValue())
        : x.totalValue() != y.totalValue() ? Long.compare(y.totalValue(), x.totalValue())
        : x.frame().compareTo(y.frame()));
    return stats.size() > limit ? new ArrayList<>(stats.subList(0, Math.max(0, limit))) : stats;
  }

  private static double pct(long part, long whole) { return whole == 0 ? 0 : part * 100.0 / whole; }
}
