package dev.ddsls.collector;

import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans a JFR attachment's samples belong to: dd-trace-java's profiler writes {@code spanId} and
 * {@code localRootSpanId} on its samples, which the analysis' JFR reader turns into the {@code span id} /
 * {@code local root span id} labels the ddsls agent's pprof carries. Reading the recording whole is also its
 * validation at upload: one the reader cannot read is refused ({@link Malformed}), so it cannot fail a report later.
 */
final class JfrSpanIndexer implements ProfileSpanIndexer {
  @Override
  public Collection<SpanRef> spans(String format, String compression, byte[] data) throws Malformed {
    if (!"jfr".equals(format) || !"none".equals(compression)) return List.of();
    JfrProfiles.Recording recording;
    try {
      recording = JfrProfiles.read(data);
    } catch (IOException e) {
      throw new Malformed("JFR attachment: " + e.getMessage());
    }
    Map<Long, Long> rootOfSpan = new LinkedHashMap<>();
    for (Profile p : recording.profiles()) {
      for (ProfileSample s : p.samples()) {
        Long span = s.numLabels().get(JfrProfiles.SPAN_ID);
        if (span == null) continue;
        Long root = s.numLabels().get(JfrProfiles.LOCAL_ROOT_SPAN_ID);
        rootOfSpan.putIfAbsent(span, root == null ? 0L : root);
      }
    }
    List<SpanRef> out = new ArrayList<>(rootOfSpan.size());
    for (Map.Entry<Long, Long> e : rootOfSpan.entrySet()) out.add(new SpanRef(e.getKey(), e.getValue()));
    return out;
  }
}
