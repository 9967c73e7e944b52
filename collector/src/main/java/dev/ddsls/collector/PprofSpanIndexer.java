package dev.ddsls.collector;

import dev.ddsls.formats.pprof.Pprof;
import dev.ddsls.formats.pprof.ProtoReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans a pprof attachment's samples belong to, from its {@code span id} / {@code local root span id} labels.
 * Reads the protobuf wire format in place with {@link ProtoReader} (string table, then samples and their labels)
 * without building a profile: at ingest this runs for every upload.
 */
final class PprofSpanIndexer implements ProfileSpanIndexer {
  /** In the order of {@code labelKeys}' result. */
  private static final byte[] SPAN_ID = "span id".getBytes(StandardCharsets.UTF_8), ROOT_ID = "local root span id".getBytes(StandardCharsets.UTF_8);

  @Override
  public Collection<SpanRef> spans(String format, String compression, byte[] data) throws Exception {
    // The intake passes the content Attachment already uncompressed: an upload is inflated once.
    if (!"pprof".equals(format) || !"none".equals(compression)) return List.of();
    long[] keys = labelKeys(data);
    if (keys[0] < 0) return List.of();
    Map<Long, Long> rootOfSpan = new LinkedHashMap<>();
    ProtoReader profile = new ProtoReader(data, 0, data.length, "Profile");
    while (profile.hasMore()) {
      if (profile.nextField() != Pprof.PROFILE_SAMPLE || profile.wireType() != ProtoReader.LEN) { profile.skip(); continue; } // Profile.sample
      ProtoReader sample = profile.message("Sample");
      long span = 0, root = 0;
      boolean hasSpan = false;
      while (sample.hasMore()) {
        if (sample.nextField() != Pprof.SAMPLE_LABEL || sample.wireType() != ProtoReader.LEN) { sample.skip(); continue; } // Sample.label
        ProtoReader label = sample.message("Label");
        long key = 0, num = 0;
        while (label.hasMore()) {
          int field = label.nextField();
          boolean varint = label.wireType() == ProtoReader.VARINT;
          if (field == Pprof.LABEL_KEY && varint) key = label.varint(); // Label.key
          else if (field == Pprof.LABEL_NUM && varint) num = label.varint(); // Label.num
          else label.skip();
        }
        if (key == keys[0]) { span = num; hasSpan = true; } else if (key == keys[1]) root = num;
      }
      if (hasSpan) rootOfSpan.putIfAbsent(span, root);
    }
    List<SpanRef> out = new ArrayList<>(rootOfSpan.size());
    for (Map.Entry<Long, Long> e : rootOfSpan.entrySet()) out.add(new SpanRef(e.getKey(), e.getValue()));
    return out;
  }

  /** String table indexes of "span id" and "local root span id"; -1 where absent. */
  private static long[] labelKeys(byte[] d) throws IOException {
    long[] keys = {-1, -1};
    long index = 0;
    ProtoReader profile = new ProtoReader(d, 0, d.length, "Profile");
    while (profile.hasMore()) {
      if (profile.nextField() != Pprof.PROFILE_STRING_TABLE || profile.wireType() != ProtoReader.LEN) { profile.skip(); continue; } // Profile.string_table
      int which = profile.match("string_table", SPAN_ID, ROOT_ID);
      if (which >= 0) keys[which] = index;
      index++;
    }
    return keys;
  }
}
