package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.FrameKind;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.JvmActivity;
import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What init spent its time on, beyond {@link InitBreakdown}: the function's own frames that the time is charged to
 * (the innermost non-library frame of each sample, so library work counts for the user code that asked for it),
 * class loading, user static initialisers, JIT/GC threads, recognised libraries, off-CPU time (wall time of
 * the sampled threads not matched by CPU samples of the same threads), how that wall time splits into on-CPU,
 * runnable and blocked ({@link WallSplit}), and the frames that were blocked.
 * All times are milliseconds per cold start.
 */
public record InitAnalysis(InitBreakdown breakdown, List<Share> userFrames, double classLoadingMs, List<Share> staticInitialisers,
                           double jitGcMs, Map<String, Double> librariesMs, double offCpuMs, List<Waiting> waiting,
                           List<String> profileIds, WallSplit wallSplit, Map<String, Double> jvmActivitiesMs,
                           Map<String, Recogniser.Tally> libraries, OwnCode ownCode) {

  /**
   * Where init was blocked: a frame of the function (or {@link #RUNTIME}), the JDK frame it blocked in, the kind of
   * wait ({@link WallSplit#blockedByKind()} keys), its blocked ms (not runnable time) and its wall ms.
   */
  public record Waiting(String frame, String waitingIn, String kind, double ms, double wallMs) {
    /** Whether the wait is in the function's own code, and most of that frame's wall time. */
    public boolean ownAndMostlyWaiting() { return !RUNTIME.equals(frame) && ms * 2 >= wallMs; }
  }

  /** Stands for stacks without a frame of the function's own code (runtime client, JDK, libraries). */
  public static final String RUNTIME = "(runtime and libraries)";

  public static InitAnalysis of(List<ProfileInput> profiles, int limit) { return of(profiles, limit, OwnCode.UNKNOWN); }

  /** @param ownCode what the function's own code is */
  public static InitAnalysis of(List<ProfileInput> profiles, int limit, OwnCode ownCode) {
    List<Profile> cpu = new ArrayList<>();
    List<Profile> wall = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (ProfileInput p : profiles) {
      String kind = p.kind();
      if (!kind.equals("cpu") && !kind.equals("wall")) continue;
      (kind.equals("cpu") ? cpu : wall).add(p.profile());
      ids.add(p.id());
    }
    InitBreakdown b = InitBreakdown.of(cpu, wall, limit, ownCode);
    int n = Math.max(1, b.coldStarts());
    Profile cpuInit = InitBreakdown.initSamples(cpu);
    Profile wallInit = InitBreakdown.initSamples(wall);

    Map<String, Double> user = new HashMap<>();
    Map<String, Double> clinit = new HashMap<>();
    Map<String, Double> libs = new LinkedHashMap<>();
    Map<String, Double> jvm = new LinkedHashMap<>();
    Map<String, Recogniser.Tally> tallies = new LinkedHashMap<>();
    double classLoading = 0, jitGc = 0, cpuTotal = 0;
    if (cpuInit != null) {
      int vi = cpuInit.valueIndex("cpu");
      for (ProfileSample s : cpuInit.samples()) {
        double ms = s.value(vi) / 1e6 / n;
        cpuTotal += ms;
        List<String> stack = s.stack();
        String own = innermostOwn(stack, ownCode);
        if (own != null) user.merge(own, ms, Double::sum);
        Set<String> seen = new HashSet<>();
        for (String f : stack) {
          if (f.endsWith(".<clinit>") && !FrameStats.isLibrary(f, ownCode) && seen.add(f)) clinit.merge(f, ms, Double::sum);
        }
        if (!stack.isEmpty() && !FrameKind.isJavaMethod(stack.get(0))) {
          jvm.merge(JvmActivity.ofStack(stack, s.strLabel("thread name")).label(), ms, Double::sum);
        }
        if (Signature.isClassLoading(stack)) classLoading += ms;
        if (Signature.isJitOrGcThread(s.strLabel("thread name"))) jitGc += ms;
        Map.Entry<Recogniser, Recogniser.Match> rec = Recogniser.recognise(stack);
        if (rec != null) {
          libs.merge(rec.getKey().id(), ms, Double::sum);
          tallies.computeIfAbsent(rec.getKey().id(), k -> new Recogniser.Tally()).add(rec.getValue(), ms, ownFrames(stack, ownCode), own);
        }
      }
    }

    double offCpu = 0;
    List<Waiting> waiting = new ArrayList<>();
    WallSplit split = WallSplit.NONE;
    if (wallInit != null) {
      int wi = wallInit.valueIndex("wall");
      Map<String, Double> wallByThread = new HashMap<>();
      Map<String, Double> wallByOwn = new HashMap<>();
      Map<String, Map<String, Double>> leafByOwn = new HashMap<>();
      Map<String, Map<String, Double>> kindByOwn = new HashMap<>();
      Map<String, Double> blockedByOwn = new HashMap<>();
      Map<String, Double> byKind = new TreeMap<>();
      double wallTotal = 0, running = 0, blocked = 0;
      boolean labelled = false;
      for (ProfileSample s : wallInit.samples()) {
        double ms = s.value(wi) / 1e6 / n;
        wallByThread.merge(thread(s), ms, Double::sum);
        wallTotal += ms;
        String own = innermostOwn(s.stack(), ownCode);
        String key = own == null ? RUNTIME : own;
        wallByOwn.merge(key, ms, Double::sum);
        ThreadState state = ThreadState.of(s.strLabel(ThreadState.LABEL));
        labelled |= state != ThreadState.UNKNOWN;
        if (state == ThreadState.RUNNING) {
          running += ms;
          continue;
        }
        // Blocked: labelled so, or (without a label) parked in a recognised blocking frame.
        String kind = BlockingFrames.kind(s.stack());
        if (state == ThreadState.UNKNOWN && kind == null) continue;
        if (kind == null) kind = BlockingFrames.OTHER;
        blocked += ms;
        byKind.merge(kind, ms, Double::sum);
        blockedByOwn.merge(key, ms, Double::sum);
        kindByOwn.computeIfAbsent(key, k -> new HashMap<>()).merge(kind, ms, Double::sum);
        String leaf = BlockingFrames.blockedIn(s.stack());
        if (leaf != null) leafByOwn.computeIfAbsent(key, k -> new HashMap<>()).merge(leaf, ms, Double::sum);
      }
      double cpuSameThreads = 0;
      if (cpuInit != null) {
        int vi = cpuInit.valueIndex("cpu");
        for (ProfileSample s : cpuInit.samples()) {
          if (wallByThread.containsKey(thread(s))) cpuSameThreads += s.value(vi) / 1e6 / n;
        }
      }
      offCpu = Math.max(0, wallTotal - cpuSameThreads);
      // Sampling jitter can give a thread more CPU than wall in state running: never negative.
      double runnable = labelled ? Math.max(0, running - cpuSameThreads) : 0;
      double unclassified = Math.max(0, wallTotal - cpuSameThreads - runnable - blocked);
      double sampled = 0;
      for (double v : wallByThread.values()) sampled = Math.max(sampled, v);
      split = new WallSplit(cpuSameThreads, runnable, blocked, byKind, unclassified, labelled, sampled);
      for (Map.Entry<String, Double> e : blockedByOwn.entrySet()) {
        waiting.add(new Waiting(e.getKey(), top(leafByOwn.get(e.getKey())), top(kindByOwn.get(e.getKey())), e.getValue(),
            wallByOwn.get(e.getKey())));
      }
      waiting.sort((x, y) -> x.ms() != y.ms() ? Double.compare(y.ms(), x.ms()) : x.frame().compareTo(y.frame()));
      if (waiting.size() > limit) waiting = new ArrayList<>(waiting.subList(0, limit));
    }
    return new InitAnalysis(b, ranked(user, cpuTotal, limit), classLoading, ranked(clinit, cpuTotal, limit), jitGc, libs, offCpu,
        waiting, ids, split, sortedDesc(jvm), tallies, ownCode);
  }

  /** The key with the largest value (ties: the smallest key), or null. */
  private static String top(Map<String, Double> ms) {
    String best = null;
    double max = -1;
    if (ms == null) return null;
    for (Map.Entry<String, Double> e : ms.entrySet()) {
      if (e.getValue() > max || (e.getValue() == max && e.getKey().compareTo(best) < 0)) {
        max = e.getValue();
        best = e.getKey();
      }
    }
    return best;
  }


  private static Map<String, Double> sortedDesc(Map<String, Double> ms) {
    List<Map.Entry<String, Double>> es = new ArrayList<>(ms.entrySet());
    es.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : es) out.put(e.getKey(), e.getValue());
    return out;
  }

  /** The function's own frames of a stack, leaf first. */
  static List<String> ownFrames(List<String> stack, OwnCode ownCode) {
    List<String> out = new ArrayList<>();
    for (String f : stack) {
      if (!FrameStats.isLibrary(f, ownCode)) out.add(f);
    }
    return out;
  }

  /** The frame of the function's own code nearest the leaf, or null when the stack is all JDK, runtime and libraries. */
  static String innermostOwn(List<String> stack) { return innermostOwn(stack, OwnCode.UNKNOWN); }

  static String innermostOwn(List<String> stack, OwnCode ownCode) {
    for (String f : stack) {
      if (!FrameStats.isLibrary(f, ownCode)) return f;
    }
    return null;
  }

  /** The Java frame nearest the leaf (native and VM frames skipped). */
  static String innermostJava(List<String> stack) {
    for (String f : stack) {
      if (!FrameStats.packageOf(f).equals(FrameStats.NATIVE)) return f;
    }
    return null;
  }

  private static String thread(ProfileSample s) {
    Long id = s.numLabels().get("thread id");
    if (id != null) return "#" + id;
    String name = s.strLabel("thread id");
    return name != null ? name : s.strLabel("thread name");
  }

  private static List<Share> ranked(Map<String, Double> ms, double total, int limit) {
    List<Share> out = new ArrayList<>();
    for (Map.Entry<String, Double> e : ms.entrySet()) out.add(new Share(e.getKey(), e.getValue(), total == 0 ? 0 : e.getValue() * 100 / total));
    out.sort((x, y) -> x.ms() != y.ms() ? Double.compare(y.ms(), x.ms()) : x.frame().compareTo(y.frame()));
    return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
  }

  public double cpuMs() { return breakdown.cpuMsPerColdStart(); }

  public double wallMs() { return breakdown.wallMsPerColdStart(); }

  public List<FrameStat> topFrames() { return breakdown.hotFrames(); }
}
