package dev.ddsls.cli.collect;

import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The spans a pprof attachment's samples belong to, from its {@code span id} / {@code local root span id} labels. */
final class PprofSpanIndexer implements ProfileSpanIndexer {
  @Override
  public Collection<SpanRef> spans(String format, String compression, byte[] data) throws Exception {
    if (!"pprof".equals(format) || !("gzip".equals(compression) || "none".equals(compression))) return List.of();
    Map<Long, Long> rootOfSpan = new LinkedHashMap<>();
    for (ProfileSample s : PprofReader.read(data).samples()) {
      Long span = s.numLabels().get("span id");
      if (span == null) continue;
      Long root = s.numLabels().get("local root span id");
      rootOfSpan.putIfAbsent(span, root == null ? 0L : root);
    }
    List<SpanRef> out = new ArrayList<>(rootOfSpan.size());
    for (Map.Entry<Long, Long> e : rootOfSpan.entrySet()) out.add(new SpanRef(e.getKey(), e.getValue()));
    return out;
  }
}
