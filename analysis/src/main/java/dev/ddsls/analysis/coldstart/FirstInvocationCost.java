package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU that exists only in the first invocation after a cold start: per own frame (innermost, as in init) and per
 * recognised library, the ms of a cold invocation minus the average ms of a warm one. Samples are the CPU samples
 * labelled {@code phase=invocation}; a sample is cold when its {@code local root span id} is a cold span's id.
 */
public record FirstInvocationCost(int coldInvocations, int warmInvocations, Map<String, Double> framesMs,
                                  Map<String, Double> librariesMs, Map<String, Recogniser.Tally> libraries) {
  public static final String INVOCATION = "invocation";
  static final String ROOT = "local root span id";

  /** null when no profile has invocation samples of a cold span. */
  public static FirstInvocationCost of(List<ProfileInput> profiles, List<String> coldIds, OwnCode ownCode) {
    Set<String> cold = new HashSet<>(coldIds);
    Map<String, Double> coldFrames = new LinkedHashMap<>(), warmFrames = new LinkedHashMap<>();
    Map<String, Double> coldLibs = new LinkedHashMap<>(), warmLibs = new LinkedHashMap<>();
    Map<String, Recogniser.Tally> tallies = new LinkedHashMap<>();
    Set<Long> coldSpans = new HashSet<>(), warmSpans = new HashSet<>();
    for (ProfileInput in : profiles) {
      if (!in.kind().equals("cpu")) continue;
      Profile p = in.profile();
      int vi = p.valueIndex("cpu");
      for (ProfileSample s : p.samples()) {
        Long root = s.numLabels().get(ROOT);
        if (root == null || !INVOCATION.equals(s.strLabel(InitBreakdown.PHASE))) continue;
        boolean isCold = cold.contains(Long.toString(root)) || cold.contains(Long.toUnsignedString(root))
            || cold.contains(Long.toHexString(root));
        (isCold ? coldSpans : warmSpans).add(root);
        double ms = s.value(vi) / 1e6;
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
    return new FirstInvocationCost(nc, nw, excess(coldFrames, nc, warmFrames, nw), excess(coldLibs, nc, warmLibs, nw), tallies);
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
