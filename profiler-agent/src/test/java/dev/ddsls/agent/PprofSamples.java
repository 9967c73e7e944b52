package dev.ddsls.agent;

import dev.ddsls.formats.pprof.Pprof;
import dev.ddsls.formats.pprof.ProtoReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads back what tests check in an encoded pprof: each sample's labels and values, and the profile's start time. */
final class PprofSamples {
  /** String labels and numeric labels of one sample, and its values (one per sample type). */
  record Labels(Map<String, String> str, Map<String, Long> num, long[] values) {}

  final List<Labels> samples = new ArrayList<>();
  long timeNanos;

  static PprofSamples read(byte[] pprof) throws Exception {
    PprofSamples out = new PprofSamples();
    List<String> strings = new ArrayList<>();
    List<List<long[]>> rawLabels = new ArrayList<>();
    List<long[]> values = new ArrayList<>();
    ProtoReader r = new ProtoReader(pprof, 0, pprof.length, "profile");
    while (r.hasMore()) {
      int f = r.nextField();
      if (f == Pprof.PROFILE_STRING_TABLE) {
        strings.add(r.string("string_table"));
      } else if (f == Pprof.PROFILE_TIME_NANOS) {
        out.timeNanos = r.integer("time_nanos");
      } else if (f == Pprof.PROFILE_SAMPLE) {
        ProtoReader s = r.message("sample");
        List<long[]> labels = new ArrayList<>();
        ProtoReader.LongList sampleValues = new ProtoReader.LongList();
        while (s.hasMore()) {
          int sf = s.nextField();
          if (sf == Pprof.SAMPLE_VALUE) {
            s.repeated("value", sampleValues);
            continue;
          }
          if (sf != Pprof.SAMPLE_LABEL) {
            s.skip();
            continue;
          }
          ProtoReader l = s.message("label");
          long[] kv = new long[3]; // key, str, num
          while (l.hasMore()) {
            int lf = l.nextField();
            if (lf == Pprof.LABEL_KEY) kv[0] = l.integer("key");
            else if (lf == Pprof.LABEL_STR) kv[1] = l.integer("str");
            else if (lf == Pprof.LABEL_NUM) kv[2] = l.integer("num");
            else l.skip();
          }
          labels.add(kv);
        }
        rawLabels.add(labels);
        values.add(sampleValues.toArray());
      } else {
        r.skip();
      }
    }
    for (int i = 0; i < rawLabels.size(); i++) {
      List<long[]> labels = rawLabels.get(i);
      Map<String, String> str = new HashMap<>();
      Map<String, Long> num = new HashMap<>();
      for (long[] kv : labels) {
        String key = strings.get((int) kv[0]);
        if (kv[1] != 0) str.put(key, strings.get((int) kv[1]));
        else num.put(key, kv[2]);
      }
      out.samples.add(new Labels(str, num, values.get(i)));
    }
    return out;
  }
}
