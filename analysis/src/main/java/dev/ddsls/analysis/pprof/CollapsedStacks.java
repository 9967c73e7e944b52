package dev.ddsls.analysis.pprof;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stacks merged to the "collapsed" form of Brendan Gregg's flamegraph.pl and async-profiler's collapsed output:
 * {@code root;caller;leaf value}, one line per distinct stack. Keys are sorted so output is stable. A file format
 * only: flame graphs are built from the samples themselves ({@code report.FlameGraph}).
 */
public final class CollapsedStacks {
  private CollapsedStacks() {}

  /** All samples of {@code p} by value {@code valueIndex}, for {@code profile convert --to collapsed}. */
  public static Map<String, Long> of(Profile p, int valueIndex) {
    Map<String, Long> out = new TreeMap<>();
    for (ProfileSample s : p.samples()) {
      long v = s.value(valueIndex);
      if (v == 0 || s.stack().isEmpty()) continue;
      List<String> rootFirst = new ArrayList<>(s.stack());
      Collections.reverse(rootFirst);
      StringBuilder key = new StringBuilder();
      for (String f : rootFirst) {
        if (key.length() > 0) key.append(';');
        key.append(f.replace(';', ':')); // ';' separates frames
      }
      out.merge(key.toString(), v, Long::sum);
    }
    return out;
  }

  public static void write(Map<String, Long> stacks, PrintWriter out) {
    for (Map.Entry<String, Long> e : new TreeMap<>(stacks).entrySet()) out.println(e.getKey() + ' ' + e.getValue());
  }
}
