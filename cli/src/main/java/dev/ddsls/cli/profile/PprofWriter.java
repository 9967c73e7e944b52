package dev.ddsls.cli.profile;

import dev.ddsls.formats.pprof.ProfileBuilder;
import dev.ddsls.formats.pprof.ProfileBuilder.Label;
import dev.ddsls.formats.pprof.Frame;
import dev.ddsls.analysis.pprof.FrameStats;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link Profile} encoded as pprof with the agent's {@link ProfileBuilder} (the encoder of every ddsls profile). */
final class PprofWriter {
  private PprofWriter() {}

  static byte[] gzipped(Profile p) { return builder(p).encodeGzipped(); }

  static byte[] raw(Profile p) { return builder(p).encode(); }

  private static ProfileBuilder builder(Profile p) {
    String[][] types = new String[p.sampleTypes().size()][];
    for (int i = 0; i < types.length; i++) types[i] = new String[] {p.sampleTypes().get(i).type(), p.sampleTypes().get(i).unit()};
    ValueType period = p.periodType();
    ProfileBuilder b = new ProfileBuilder(types, period.type(), period.unit(), p.period());
    for (ProfileSample s : p.samples()) {
      List<String> stack = s.stack();
      Frame[] frames = new Frame[stack.size()];
      for (int i = 0; i < frames.length; i++) frames[i] = frame(stack.get(i), (int) s.line(i));
      List<Label> labels = new ArrayList<>();
      for (Map.Entry<String, String> e : s.strLabels().entrySet()) labels.add(Label.str(e.getKey(), e.getValue()));
      for (Map.Entry<String, Long> e : s.numLabels().entrySet()) labels.add(Label.num(e.getKey(), e.getValue()));
      b.addSample(frames, s.values(), labels.toArray(new Label[0]));
    }
    for (String c : p.comments()) b.addComment(c);
    b.setTimeNanos(p.timeNanos());
    b.setDurationNanos(p.durationNanos());
    return b;
  }

  /** Java frames split into class and method (as the agent writes them); native symbols keep their whole name. */
  private static Frame frame(String name, int line) {
    int dot = name.lastIndexOf('.');
    if (FrameStats.packageOf(name).equals(FrameStats.NATIVE) || dot <= 0) return new Frame("", name, line);
    return new Frame(name.substring(0, dot), name.substring(dot + 1), line);
  }
}
