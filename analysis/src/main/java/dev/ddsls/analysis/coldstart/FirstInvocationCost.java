package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * CPU that exists only in the first invocation after a cold start: per own frame (innermost, as in init) and per
 * recognised library, the ms of a cold invocation minus the average ms of a warm one. Samples are the CPU samples
 * labelled {@code phase=invocation}; a sample is cold when its {@code local root span id} is a cold span's id.
 * {@code coldCpuMs}/{@code warmCpuMs} are all sampled CPU per cold / warm invocation (every thread: JIT and GC
 * work for the request count), and {@code wall} splits the wall time of the thread that ran the cold invocation
 * (the busiest sampled one) into on-CPU, runnable (waiting for a CPU) and blocked, as for init: a penalty larger
 * than its CPU is CPU starvation or a wait, not more work.
 */
public record FirstInvocationCost(int coldInvocations, int warmInvocations, Map<String, Double> framesMs,
                                  Map<String, Double> librariesMs, Map<String, Recogniser.Tally> libraries, double coldCpuMs,
                                  double warmCpuMs, WallSplit wall) {
  public static final String INVOCATION = "invocation";
  static final String ROOT = "local root span id";

  /** null when no profile has invocation samples of a cold span. */
  public static FirstInvocationCost of(List<ProfileInput> profiles, List<String> coldIds, OwnCode ownCode) {
    Set<String> cold = new HashSet<>(coldIds);
    Map<String, Double> coldFrames = new LinkedHashMap<>(), warmFrames = new LinkedHashMap<>();
    Map<String, Double> coldLibs = new LinkedHashMap<>(), warmLibs = new LinkedHashMap<>();
    Map<String, Recogniser.Tally> tallies = new LinkedHashMap<>();
    Map<String, Double> coldCpuByThread = new HashMap<>();
    Set<Long> coldSpans = new HashSet<>(), warmSpans = new HashSet<>();
    double coldCpu = 0, warmCpu = 0;
    for (ProfileInput in : profiles) {
      if (!in.kind().equals("cpu")) continue;
      Profile p = in.profile();
      int vi = p.valueIndex("cpu");
      for (ProfileSample s : p.samples()) {
        Long root = s.numLabels().get(ROOT);
        if (root == null || !INVOCATION.equals(s.strLabel(InitBreakdown.PHASE))) continue;
        boolean isCold = isCold(cold, root);
        (isCold ? coldSpans : warmSpans).add(root);
        double ms = s.value(vi) / 1e6;
        if (isCold) {
          coldCpu += ms;
          coldCpuByThread.merge(thread(s), ms, Double::sum);
        } else {
          warmCpu += ms;
        }
        String own = InitAnalysis.innermostOwn(s.stack(), ownCode);
        if (own != null) (isCold ? coldFrames : warmFrames).merge(own, ms, Double::sum);
        Map.Entry<Recogniser, Recogniser.Match> rec = Recogniser.recognise(s.stack());
        if (rec != null) {
          (isCold ? coldLibs : warmLibs).merge(rec.getKey().id(), ms, Double::sum);
          if (isCold) {
            tallies.computeIfAbsent(rec.getKey().id(), k -> new Recogniser.Tally())
                .add(rec.getValue(), ms, InitAnalysis.ownFrames(s.stack(), ownCode), own);
          }
        }
      }
    }
    if (coldSpans.isEmpty()) return null;
    int nc = coldSpans.size(), nw = warmSpans.size();
    for (Recogniser.Tally t : tallies.values()) t.scale(1.0 / nc);
    return new FirstInvocationCost(nc, nw, excess(coldFrames, nc, warmFrames, nw), excess(coldLibs, nc, warmLibs, nw), tallies,
        coldCpu / nc, nw == 0 ? 0 : warmCpu / nw, wallSplit(profiles, cold, coldCpuByThread, nc));
  }

  /**
   * The cold invocations' wall of the thread that ran them, per cold invocation: its CPU samples are on
   * CPU, wall samples in state running beyond them are runnable, blocked ones by kind. Wall profiles hold only
   * init and the cold invocation (the agent's default), so warm invocations have none to compare with.
   */
  private static WallSplit wallSplit(List<ProfileInput> profiles, Set<String> cold, Map<String, Double> cpuByThread, int nc) {
    Map<String, Double> wallByThread = new HashMap<>(), runningByThread = new HashMap<>(), blockedByThread = new HashMap<>();
    Map<String, Map<String, Double>> kindsByThread = new HashMap<>();
    boolean labelled = false;
    for (ProfileInput in : profiles) {
      if (!in.kind().equals("wall")) continue;
      Profile p = in.profile();
      int wi = p.valueIndex("wall");
      for (ProfileSample s : p.samples()) {
        Long root = s.numLabels().get(ROOT);
        if (root == null || !INVOCATION.equals(s.strLabel(InitBreakdown.PHASE)) || !isCold(cold, root)) continue;
        double ms = s.value(wi) / 1e6 / nc;
        String t = thread(s);
        wallByThread.merge(t, ms, Double::sum);
        ThreadState state = ThreadState.of(s.strLabel(ThreadState.LABEL));
        labelled |= state != ThreadState.UNKNOWN;
        if (state == ThreadState.RUNNING) {
          runningByThread.merge(t, ms, Double::sum);
          continue;
        }
        String kind = BlockingFrames.kind(s.stack());
        if (state == ThreadState.UNKNOWN && kind == null) continue;
        blockedByThread.merge(t, ms, Double::sum);
        kindsByThread.computeIfAbsent(t, k -> new TreeMap<>()).merge(kind == null ? BlockingFrames.OTHER : kind, ms, Double::sum);
      }
    }
    // The thread that ran the request is the busiest of the sampled ones (idle threads are sampled too), else the
    // one sampled longest.
    String main = null;
    for (String t : wallByThread.keySet()) {
      if (main == null) {
        main = t;
        continue;
      }
      double c = cpuByThread.getOrDefault(t, 0.0), m = cpuByThread.getOrDefault(main, 0.0);
      if (c > m || (c == m && wallByThread.get(t) > wallByThread.get(main))) main = t;
    }
    if (main == null) return WallSplit.NONE;
    double wall = wallByThread.get(main);
    double onCpu = Math.min(wall, cpuByThread.getOrDefault(main, 0.0) / nc);
    double runnable = labelled ? Math.max(0, runningByThread.getOrDefault(main, 0.0) - onCpu) : 0;
    double blocked = blockedByThread.getOrDefault(main, 0.0);
    double unclassified = Math.max(0, wall - onCpu - runnable - blocked);
    return new WallSplit(onCpu, runnable, blocked, kindsByThread.getOrDefault(main, Map.of()), unclassified, labelled, wall);
  }

  private static boolean isCold(Set<String> cold, long root) {
    return cold.contains(Long.toString(root)) || cold.contains(Long.toUnsignedString(root)) || cold.contains(Long.toHexString(root));
  }

  /** The sample's thread: its id when labelled, else its name. */
  private static String thread(ProfileSample s) {
    Long id = s.numLabels().get("thread id");
    if (id != null) return "#" + id;
    String label = s.strLabel("thread id");
    return label != null ? label : s.strLabel("thread name");
  }

  /** Per invocation: cold ms minus the warm average, positive only, largest first. */
  private static Map<String, Double> excess(Map<String, Double> cold, int nc, Map<String, Double> warm, int nw) {
    Map<String, Double> out = new LinkedHashMap<>();
    cold.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() / nc - (nw == 0 ? 0 : warm.getOrDefault(e.getKey(), 0.0) / nw)))
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
