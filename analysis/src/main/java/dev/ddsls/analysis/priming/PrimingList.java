package dev.ddsls.analysis.priming;

import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What to prime, per function: the classes its first invocation loaded (under SnapStart: everything loaded after the
 * snapshot, afterRestore hooks included), from the agent's class lists of every cold start, grouped by the library
 * (jar) they came from, each library with the CPU its classes' code took in those first invocations where the
 * profiles show it, and offered as a {@code classesloaded.txt} that Powertools for AWS Lambda (Java)'s
 * {@code ClassPreLoader.preloadClasses()} reads from the class path in a {@code beforeCheckpoint} hook.
 */
public record PrimingList(String function, String initType, int coldStarts, List<Library> libraries, double classLoadingCpuMs,
                          double firstInvocationCpuMs, String advice) {
  /**
   * One library's classes: {@code name} is the jar's file name without {@code .jar} and the package root
   * ({@code JDK} for the runtime image's), {@code firstUseCpuMs} the CPU of first-invocation samples with a frame of one of its classes (NaN
   * without profiles), {@code coldStarts} per class: in how many of the cold starts it was loaded.
   */
  public record Library(String name, List<String> classes, double firstUseCpuMs) {}

  /** Phases of the samples a first invocation paid for. */
  static final Set<String> FIRST_PHASES = Set.of("invocation", "restore", "first_invocation_after_restore");

  /** The list of {@code function} from its class lists (oldest first) and profiles; null without a list. */
  public static PrimingList build(String function, List<ClassList> lists, List<ProfileInput> profiles) {
    if (lists.isEmpty()) return null;
    String initType = lists.get(lists.size() - 1).initType();
    Map<String, String> sourceOf = new LinkedHashMap<>();
    Set<String> requestIds = new HashSet<>();
    for (ClassList l : lists) {
      if (l.requestId() != null) requestIds.add(l.requestId());
      for (ClassList.Loaded c : l.classes()) sourceOf.putIfAbsent(c.name(), c.source());
    }
    Map<String, List<String>> byLibrary = new LinkedHashMap<>();
    Map<String, String> libraryOf = new HashMap<>();
    for (Map.Entry<String, String> e : sourceOf.entrySet()) {
      String lib = library(e.getValue(), e.getKey());
      byLibrary.computeIfAbsent(lib, k -> new ArrayList<>()).add(e.getKey());
      libraryOf.put(e.getKey(), lib);
    }

    Map<String, Long> cpuByLibrary = new HashMap<>();
    long loading = 0, total = 0;
    boolean sampled = false;
    for (ProfileInput p : profiles) {
      int cpu = p.profile().valueIndex("cpu");
      if (cpu < 0) continue;
      for (ProfileSample s : p.profile().samples()) {
        String phase = s.strLabel("phase");
        if (phase == null || !FIRST_PHASES.contains(phase) || !requestIds.contains(s.strLabel("request id"))) continue;
        sampled = true;
        long v = s.value(cpu);
        total += v;
        Set<String> libs = new HashSet<>();
        boolean loads = false;
        for (String frame : s.stack()) {
          String lib = libraryOf.get(classOf(frame));
          if (lib != null) libs.add(lib);
          if (isClassLoading(frame)) loads = true;
        }
        if (loads) loading += v;
        for (String lib : libs) cpuByLibrary.merge(lib, v, Long::sum);
      }
    }
    List<Library> libraries = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : byLibrary.entrySet()) {
      Long cpu = cpuByLibrary.get(e.getKey());
      libraries.add(new Library(e.getKey(), e.getValue(), !sampled ? Double.NaN : cpu == null ? 0 : cpu / 1e6));
    }
    // The costliest first; without profiles, the largest.
    libraries.sort((a, b) -> {
      int byCpu = Double.compare(nan0(b.firstUseCpuMs()), nan0(a.firstUseCpuMs()));
      return byCpu != 0 ? byCpu : Integer.compare(b.classes().size(), a.classes().size());
    });
    double loadingMs = sampled ? loading / 1e6 : Double.NaN, totalMs = sampled ? total / 1e6 : Double.NaN;
    return new PrimingList(function, initType, lists.size(), libraries, loadingMs, totalMs, advice(initType, loadingMs, totalMs, sourceOf.size()));
  }

  private static double nan0(double d) { return Double.isNaN(d) ? 0 : d; }

  /**
   * The library of a class: {@code JDK} for the runtime image's; else its jar without {@code .jar} and the class's
   * package root (its first three segments), since a fat jar or a task root holds many libraries:
   * {@code jackson-databind-2.17.1: com.fasterxml.jackson}.
   */
  static String library(String source, String className) {
    if ("jrt".equals(source)) return "JDK";
    String jar = source == null || source.isEmpty() ? "(unknown)" : source.endsWith(".jar") ? source.substring(0, source.length() - 4) : source;
    int lastDot = className.lastIndexOf('.');
    if (lastDot < 0) return jar;
    String pkg = className.substring(0, lastDot);
    int end = -1;
    for (int i = 0; i < 3; i++) {
      int next = pkg.indexOf('.', end + 1);
      if (next < 0) {
        end = pkg.length();
        break;
      }
      end = next;
    }
    return jar + ": " + pkg.substring(0, end);
  }

  /** {@code com.example.Foo$Bar.method} -> {@code com.example.Foo$Bar}. */
  static String classOf(String frame) {
    int dot = frame.lastIndexOf('.');
    return dot <= 0 ? frame : frame.substring(0, dot);
  }

  static boolean isClassLoading(String frame) {
    return frame.startsWith("java.lang.ClassLoader.") || frame.startsWith("jdk.internal.loader.") || frame.startsWith("java.net.URLClassLoader.")
        || frame.equals("java.lang.Class.forName0") || frame.endsWith(".<clinit>") || frame.startsWith("java.util.zip.") || frame.startsWith("java.util.jar.");
  }

  /** Class priming when loading dominates what the first invocation paid; invoke priming when its code's first run does. */
  static String advice(String initType, double loadingMs, double totalMs, int classes) {
    boolean snap = "snap-start".equals(initType);
    String where = snap ? "in a beforeCheckpoint hook, so the snapshot holds them"
        : "in init (a static initialiser), where on-demand functions pay before the first request instead of in it; with SnapStart, in a beforeCheckpoint hook";
    String classPriming = "class priming (Class.forName(name, true, loader) for each class of this list, e.g. Powertools' ClassPreLoader.preloadClasses() with it as classesloaded.txt) "
        + where + ": loads, links and initialises them without running your code's side effects";
    String invokePriming = "invoke priming (calling the handler's own path with a synthetic request " + where
        + ") also compiles and warms the code and builds lazy clients and pools, but must not reach real downstream services";
    if (Double.isNaN(totalMs) || totalMs <= 0) {
      return classes + " classes loaded first by the first invocation; " + classPriming + ". If the first invocation stays slow, " + invokePriming + ".";
    }
    double share = loadingMs / totalMs;
    String measured = String.format(Locale.ROOT, "class loading and static initialisers took %.0f%% (%.1f ms) of the first invocation's %.1f ms of CPU",
        100 * share, loadingMs, totalMs);
    return share >= 0.5 ? measured + ": start with " + classPriming + "; if what remains matters, " + invokePriming + "."
        : measured + ": most of it is your code's and its libraries' first run, so " + invokePriming + "; " + classPriming + " removes the loading part.";
  }

  /** The list in the format Powertools' {@code ClassPreLoader} reads: one class per line, {@code #} comments. */
  public String classesLoadedTxt() {
    StringBuilder sb = new StringBuilder();
    sb.append("# ddsls priming list for ").append(function).append(": classes ")
        .append("snap-start".equals(initType) ? "loaded after the snapshot (afterRestore hooks and first invocation)" : "first loaded by the first invocation")
        .append(", ").append(coldStarts).append(" cold start(s)\n");
    sb.append("# Put it on the class path as classesloaded.txt and call ClassPreLoader.preloadClasses() (Powertools for AWS Lambda (Java))")
        .append(" in a beforeCheckpoint hook. Its loop stops at the first class it cannot load: remove classes your function no longer has.\n");
    for (Library l : libraries) {
      sb.append("# ").append(l.name()).append(": ").append(l.classes().size()).append(" classes");
      if (!Double.isNaN(l.firstUseCpuMs())) sb.append(String.format(Locale.ROOT, ", %.1f ms CPU in code of these classes during the first invocation", l.firstUseCpuMs()));
      sb.append('\n');
      for (String c : l.classes()) sb.append(c).append('\n');
    }
    return sb.toString();
  }

  /**
   * One list per function of the source's class lists ({@code function} of the list, else {@code fallbackFunction}),
   * in order of first appearance.
   */
  public static List<PrimingList> of(List<ClassList> lists, List<ProfileInput> profiles, String fallbackFunction) {
    Map<String, List<ClassList>> byFunction = new LinkedHashMap<>();
    for (ClassList l : lists) {
      String fn = l.function() != null ? l.function() : fallbackFunction;
      byFunction.computeIfAbsent(fn, k -> new ArrayList<>()).add(l);
    }
    List<PrimingList> out = new ArrayList<>();
    for (Map.Entry<String, List<ClassList>> e : byFunction.entrySet()) out.add(build(e.getKey(), e.getValue(), profiles));
    return out;
  }

  /** One line for the report: how many classes, the costliest libraries, and the advice. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("priming list for ").append(function).append(": ").append(classCount()).append(" classes ")
        .append("snap-start".equals(initType) ? "loaded after the snapshot" : "first loaded by the first invocation")
        .append(" (").append(coldStarts).append(" cold start").append(coldStarts == 1 ? "" : "s").append("), by library: ");
    for (int i = 0; i < Math.min(5, libraries.size()); i++) {
      Library l = libraries.get(i);
      if (i > 0) sb.append(", ");
      sb.append(l.name()).append(' ').append(l.classes().size());
      if (!Double.isNaN(l.firstUseCpuMs())) sb.append(String.format(Locale.ROOT, " (%.1f ms CPU)", l.firstUseCpuMs()));
    }
    if (libraries.size() > 5) sb.append(", ").append(libraries.size() - 5).append(" more");
    return sb.append(". ").append(advice).toString();
  }

  public int classCount() {
    int n = 0;
    for (Library l : libraries) n += l.classes().size();
    return n;
  }
}
