package dev.ddsls.analysis.pprof;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Stacks merged to the "collapsed" form of Brendan Gregg's flamegraph.pl and async-profiler's collapsed output:
 * {@code root;caller;leaf value}, one line per distinct stack. Keys are sorted so output is stable.
 */
public final class CollapsedStacks {
  private CollapsedStacks() {}

  /** Adds the samples {@code keep} accepts, value {@code valueIndex}, to {@code into} (root-first stacks). */
  public static void add(Map<String, Long> into, Profile p, int valueIndex, Predicate<ProfileSample> keep) {
    for (ProfileSample s : p.samples()) {
      long v = s.value(valueIndex);
      if (v == 0 || !keep.test(s) || s.stack().isEmpty()) continue;
      List<String> rootFirst = new ArrayList<>(s.stack());
      Collections.reverse(rootFirst);
      StringBuilder key = new StringBuilder();
      for (String f : rootFirst) {
        if (key.length() > 0) key.append(';');
        key.append(f.replace(';', ':')); // ';' separates frames
      }
      into.merge(key.toString(), v, Long::sum);
    }
  }

  /** All samples of {@code p} by value {@code valueIndex}. */
  public static Map<String, Long> of(Profile p, int valueIndex) {
    Map<String, Long> out = new TreeMap<>();
    add(out, p, valueIndex, s -> true);
    return out;
  }

  public static void write(Map<String, Long> stacks, PrintWriter out) {
    for (Map.Entry<String, Long> e : new TreeMap<>(stacks).entrySet()) out.println(e.getKey() + ' ' + e.getValue());
  }
}
