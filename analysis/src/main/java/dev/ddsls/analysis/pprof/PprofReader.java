package dev.ddsls.analysis.pprof;

import static dev.ddsls.formats.pprof.Pprof.*;

import dev.ddsls.formats.pprof.PprofFormatException;

import dev.ddsls.formats.pprof.ProtoReader;

import dev.ddsls.formats.pprof.ProtoReader.LongList;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a pprof {@code perftools.profiles.Profile}, gzipped or not, into a {@link Profile}. Packed and unpacked
 * repeated fields are both accepted; every string, function, location and mapping reference is checked.
 */
public final class PprofReader {
  /**
   * Bounds that keep a hostile profile from exhausting memory (docs/reliability.md): a real one is a few MiB with
   * some 10^5 samples, locations and strings. Each element costs a few hundred bytes once decoded, so the element
   * budget bounds the heap a profile can take at about 1 GiB.
   */
  public static final long MAX_BYTES = 128L << 20;
  public static final int MAX_ELEMENTS = 2_000_000;
  /** async-profiler's deepest stack is 2,048 frames by default, JFR's too; dd-trace-java's 512. */
  static final int MAX_SAMPLE_LOCATIONS = 8192, MAX_SAMPLE_VALUES = 64, MAX_SAMPLE_LABELS = 1024;
  static final long MAX_STACK_REFS = 32_000_000;
  /** Frames inlined into one location: a handful in practice. */
  static final int MAX_INLINED = 256;

  private PprofReader() {}

  public static Profile read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new PprofFormatException(file + ": " + (size >> 20) + " MiB, over the " + (MAX_BYTES >> 20) + " MiB a profile may have");
    }
    byte[] data = Files.readAllBytes(file);
    try {
      return read(data);
    } catch (PprofFormatException e) {
      throw new PprofFormatException(file + ": " + e.getMessage(), e);
    }
  }

  public static Profile read(byte[] data) throws PprofFormatException {
    if (data == null || data.length == 0) throw new PprofFormatException("empty input: not a pprof profile");
    boolean gzipped = data.length >= 2 && (data[0] & 0xFF) == 0x1f && (data[1] & 0xFF) == 0x8b;
    byte[] proto = gzipped ? gunzip(data) : data;
    if (proto.length == 0) throw new PprofFormatException("gzip data decompresses to 0 bytes: not a pprof profile");
    checkStart(proto, gzipped);
    try {
      return decode(proto);
    } catch (PprofFormatException e) {
      throw new PprofFormatException("invalid pprof" + (gzipped ? " (after gunzip): " : ": ") + e.getMessage(), e);
    }
  }

  private static byte[] gunzip(byte[] data) throws PprofFormatException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 65536)) {
      byte[] out = in.readNBytes((int) MAX_BYTES + 1);
      if (out.length > MAX_BYTES) {
        throw new PprofFormatException("gzip data (" + data.length + " bytes) inflates past " + (MAX_BYTES >> 20) + " MiB: refused");
      }
      return out;
    } catch (EOFException e) {
      throw new PprofFormatException("truncated gzip data (" + data.length + " bytes)", e);
    } catch (ZipException e) {
      throw new PprofFormatException("corrupt gzip data: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new PprofFormatException("unreadable gzip data: " + e.getMessage(), e);
    }
  }

  /** Rejects inputs whose first bytes cannot start a Profile, naming what they look like instead. */
  private static void checkStart(byte[] p, boolean gzipped) throws PprofFormatException {
    if (p.length >= 4 && p[0] == 'F' && p[1] == 'L' && p[2] == 'R' && p[3] == 0) {
      throw new PprofFormatException("input is a JFR recording (magic FLR), not a pprof profile");
    }
    int key = p[0] & 0xFF; // every Profile field number is below 16, so its key is one byte
    int field = key >>> 3, wireType = key & 7;
    boolean ok = field >= 1 && field <= 15 && (wireType == ProtoReader.LEN || wireType == ProtoReader.VARINT);
    if (!ok) {
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < Math.min(4, p.length); i++) hex.append(String.format(" %02x", p[i] & 0xFF));
      throw new PprofFormatException("not a pprof profile: " + (gzipped ? "gunzipped data starts" : "starts")
          + " with" + hex + ", expected gzip magic 1f 8b or a protobuf Profile field");
    }
  }

  private static final class RawSample {
    final LongList locations = new LongList();
    final LongList values = new LongList();
    final LongList labels = new LongList(); // triples: key, str, num
  }

  private static final class RawLocation {
    long id, mappingId, address;
    final LongList lines = new LongList(); // pairs: function id, line
  }

  private static final class RawFunction {
    long id, name, systemName;
  }

  private static Profile decode(byte[] data) throws PprofFormatException {
    List<long[]> sampleTypes = new ArrayList<>();
    List<RawSample> samples = new ArrayList<>();
    LongList mappingIds = new LongList();
    List<RawLocation> locations = new ArrayList<>();
    List<RawFunction> functions = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    LongList comments = new LongList();
    long[] periodType = null;
    long timeNanos = 0, durationNanos = 0, period = 0, dropFrames = 0, keepFrames = 0;

    ProtoReader r = new ProtoReader(data, 0, data.length, "Profile");
    int elements = 0;
    long stackRefs = 0;
    while (r.hasMore()) {
      if (++elements > MAX_ELEMENTS) {
        throw new PprofFormatException("more than " + MAX_ELEMENTS + " samples, locations, functions and strings: refused");
      }
      switch (r.nextField()) {
        case PROFILE_SAMPLE_TYPE: sampleTypes.add(valueType(r.message("Profile.sample_type[" + sampleTypes.size() + "]"))); break;
        case PROFILE_SAMPLE: {
          RawSample sample = sample(r.message("Profile.sample[" + samples.size() + "]"));
          stackRefs += sample.locations.size();
          if (stackRefs > MAX_STACK_REFS) throw new PprofFormatException("samples refer to over " + MAX_STACK_REFS + " locations in all: refused");
          samples.add(sample);
          break;
        }
        case PROFILE_MAPPING: mappingIds.add(mappingId(r.message("Profile.mapping[" + mappingIds.size() + "]"))); break;
        case PROFILE_LOCATION: locations.add(location(r.message("Profile.location[" + locations.size() + "]"))); break;
        case PROFILE_FUNCTION: functions.add(function(r.message("Profile.function[" + functions.size() + "]"))); break;
        case PROFILE_STRING_TABLE: strings.add(r.string("string_table")); break;
        case PROFILE_DROP_FRAMES: dropFrames = r.integer("drop_frames"); break;
        case PROFILE_KEEP_FRAMES: keepFrames = r.integer("keep_frames"); break;
        case PROFILE_TIME_NANOS: timeNanos = r.integer("time_nanos"); break;
        case PROFILE_DURATION_NANOS: durationNanos = r.integer("duration_nanos"); break;
        case PROFILE_PERIOD_TYPE: periodType = valueType(r.message("Profile.period_type")); break;
        case PROFILE_PERIOD: period = r.integer("period"); break;
        case PROFILE_COMMENT: r.repeated("comment", comments); break;
        default: r.skip(); // default_sample_type, doc_url and fields added later
      }
    }

    if (strings.isEmpty()) throw new PprofFormatException("string_table is empty (must start with \"\")");
    if (!strings.get(0).isEmpty()) {
      throw new PprofFormatException("string_table[0] must be \"\", is \"" + strings.get(0) + "\"");
    }
    Strings st = new Strings(strings);
    st.get(dropFrames, "drop_frames");
    st.get(keepFrames, "keep_frames");

    List<ValueType> types = new ArrayList<>(sampleTypes.size());
    for (int i = 0; i < sampleTypes.size(); i++) types.add(st.valueType(sampleTypes.get(i), "sample_type[" + i + "]"));
    ValueType periodTypeValue = periodType == null ? new ValueType("", "") : st.valueType(periodType, "period_type");

    Set<Long> mappings = new HashSet<>();
    for (int i = 0; i < mappingIds.size(); i++) {
      long id = mappingIds.get(i);
      if (id == 0) throw new PprofFormatException("mapping[" + i + "] has id 0 (ids must be nonzero)");
      if (!mappings.add(id)) throw new PprofFormatException("duplicate Mapping id " + id);
    }

    Map<Long, String> functionNames = new HashMap<>();
    for (RawFunction f : functions) {
      if (f.id == 0) throw new PprofFormatException("a Function has id 0 (ids must be nonzero)");
      String name = st.get(f.name, "Function " + f.id + " name");
      String system = st.get(f.systemName, "Function " + f.id + " system_name");
      if (functionNames.put(f.id, name.isEmpty() ? system : name) != null) {
        throw new PprofFormatException("duplicate Function id " + f.id);
      }
    }

    Map<Long, ResolvedLocation> resolved = new HashMap<>();
    for (RawLocation l : locations) {
      if (l.id == 0) throw new PprofFormatException("a Location has id 0 (ids must be nonzero)");
      if (l.mappingId != 0 && !mappings.contains(l.mappingId)) {
        throw new PprofFormatException("Location " + l.id + " refers to missing Mapping " + l.mappingId);
      }
      if (resolved.put(l.id, resolve(l, functionNames)) != null) {
        throw new PprofFormatException("duplicate Location id " + l.id);
      }
    }

    List<ProfileSample> out = new ArrayList<>(samples.size());
    long frames = 0;
    for (int i = 0; i < samples.size(); i++) {
      ProfileSample sample = resolve(i, samples.get(i), types.size(), resolved, st);
      frames += sample.stack().size();
      // Inlined lines multiply the locations a sample refers to: the frames are bounded once they are expanded.
      if (frames > MAX_STACK_REFS) throw new PprofFormatException("samples hold over " + MAX_STACK_REFS + " frames in all: refused");
      out.add(sample);
      samples.set(i, null);
    }

    List<String> commentText = new ArrayList<>(comments.size());
    for (int i = 0; i < comments.size(); i++) commentText.add(st.get(comments.get(i), "comment[" + i + "]"));
    return new Profile(types, periodTypeValue, period, timeNanos, durationNanos, commentText, out);
  }

  private static long[] valueType(ProtoReader m) throws PprofFormatException {
    long[] tu = new long[2];
    while (m.hasMore()) {
      int f = m.nextField();
      if (f == VALUE_TYPE_TYPE) tu[0] = m.integer("type");
      else if (f == VALUE_TYPE_UNIT) tu[1] = m.integer("unit");
      else m.skip();
    }
    return tu;
  }

  private static RawSample sample(ProtoReader m) throws PprofFormatException {
    RawSample s = new RawSample();
    while (m.hasMore()) {
      int f = m.nextField();
      if (f == SAMPLE_LOCATION_ID) m.repeated("location_id", s.locations);
      else if (f == SAMPLE_VALUE) m.repeated("value", s.values);
      else if (f == SAMPLE_LABEL) label(m.message("Sample.label"), s.labels);
      else m.skip();
    }
    if (s.locations.size() > MAX_SAMPLE_LOCATIONS || s.values.size() > MAX_SAMPLE_VALUES
        || s.labels.size() > 3 * MAX_SAMPLE_LABELS) {
      throw new PprofFormatException("a sample with " + s.locations.size() + " locations, " + s.values.size() + " values and "
          + s.labels.size() / 3 + " labels: over " + MAX_SAMPLE_LOCATIONS + ", " + MAX_SAMPLE_VALUES + " or " + MAX_SAMPLE_LABELS);
    }
    return s;
  }

  private static void label(ProtoReader m, LongList out) throws PprofFormatException {
    long key = 0, str = 0, num = 0;
    while (m.hasMore()) {
      int f = m.nextField();
      if (f == LABEL_KEY) key = m.integer("key");
      else if (f == LABEL_STR) str = m.integer("str");
      else if (f == LABEL_NUM) num = m.integer("num");
      else m.skip(); // num_unit
    }
    out.add(key);
    out.add(str);
    out.add(num);
  }

  private static long mappingId(ProtoReader m) throws PprofFormatException {
    long id = 0;
    while (m.hasMore()) {
      if (m.nextField() == MAPPING_ID) id = m.integer("id");
      else m.skip();
    }
    return id;
  }

  private static RawLocation location(ProtoReader m) throws PprofFormatException {
    RawLocation l = new RawLocation();
    while (m.hasMore()) {
      int f = m.nextField();
      if (f == LOCATION_ID) l.id = m.integer("id");
      else if (f == LOCATION_MAPPING_ID) l.mappingId = m.integer("mapping_id");
      else if (f == LOCATION_ADDRESS) l.address = m.integer("address");
      else if (f == LOCATION_LINE) line(m.message("Location.line"), l.lines);
      else m.skip();
    }
    if (l.lines.size() > 2 * MAX_INLINED) throw new PprofFormatException("Location " + l.id + " has over " + MAX_INLINED + " lines");
    return l;
  }

  private static void line(ProtoReader m, LongList out) throws PprofFormatException {
    long function = 0, line = 0;
    while (m.hasMore()) {
      int f = m.nextField();
      if (f == LINE_FUNCTION_ID) function = m.integer("function_id");
      else if (f == LINE_LINE) line = m.integer("line");
      else m.skip(); // column
    }
    out.add(function);
    out.add(line);
  }

  private static RawFunction function(ProtoReader m) throws PprofFormatException {
    RawFunction fn = new RawFunction();
    while (m.hasMore()) {
      int f = m.nextField();
      if (f == FUNCTION_ID) fn.id = m.integer("id");
      else if (f == FUNCTION_NAME) fn.name = m.integer("name");
      else if (f == FUNCTION_SYSTEM_NAME) fn.systemName = m.integer("system_name");
      else m.skip(); // filename, start_line
    }
    return fn;
  }

  /** A location's frames, innermost first: several when functions were inlined into one another. */
  private static final class ResolvedLocation {
    final String[] names;
    final long[] lines;

    ResolvedLocation(String[] names, long[] lines) {
      this.names = names;
      this.lines = lines;
    }
  }

  private static ResolvedLocation resolve(RawLocation l, Map<Long, String> functions) throws PprofFormatException {
    int n = l.lines.size() / 2;
    if (n == 0) return new ResolvedLocation(new String[] {"0x" + Long.toHexString(l.address)}, new long[] {0});
    String[] names = new String[n];
    long[] lines = new long[n];
    for (int i = 0; i < n; i++) {
      long fn = l.lines.get(2 * i);
      names[i] = functions.get(fn);
      if (names[i] == null) {
        throw new PprofFormatException("Location " + l.id + " line[" + i + "] refers to missing Function " + fn);
      }
      lines[i] = l.lines.get(2 * i + 1);
    }
    return new ResolvedLocation(names, lines);
  }

  private static ProfileSample resolve(int index, RawSample s, int valueCount, Map<Long, ResolvedLocation> locations,
                                       Strings st) throws PprofFormatException {
    String where = "sample[" + index + "]";
    if (s.values.size() != valueCount) {
      throw new PprofFormatException(where + " has " + s.values.size() + " values but the profile has "
          + valueCount + " sample types");
    }
    List<String> stack = new ArrayList<>();
    LongList lines = new LongList();
    for (int i = 0; i < s.locations.size(); i++) {
      ResolvedLocation loc = locations.get(s.locations.get(i));
      if (loc == null) {
        throw new PprofFormatException(where + " location_id[" + i + "] refers to missing Location "
            + s.locations.get(i));
      }
      for (int j = 0; j < loc.names.length; j++) {
        stack.add(loc.names[j]);
        lines.add(loc.lines[j]);
      }
    }
    Map<String, String> str = new LinkedHashMap<>();
    Map<String, Long> num = new LinkedHashMap<>();
    for (int i = 0; i < s.labels.size(); i += 3) {
      String key = st.get(s.labels.get(i), where + " label key");
      long strIndex = s.labels.get(i + 1);
      // As in Go's pprof: a label with a string index is a string label, otherwise a numeric one.
      if (strIndex != 0) str.putIfAbsent(key, st.get(strIndex, where + " label " + key));
      else num.putIfAbsent(key, s.labels.get(i + 2));
    }
    return ProfileSample.sharing(stack, lines.toArray(), s.values.toArray(), str, num); // fresh arrays: no copy needed
  }

  /** The string table, with bounds-checked lookups that name the referring field. */
  private static final class Strings {
    private final List<String> table;

    Strings(List<String> table) { this.table = table; }

    String get(long index, String what) throws PprofFormatException {
      if (index < 0 || index >= table.size()) {
        throw new PprofFormatException(what + ": string index " + index + " out of range (string_table has "
            + table.size() + " entries)");
      }
      return table.get((int) index);
    }

    ValueType valueType(long[] tu, String what) throws PprofFormatException {
      return new ValueType(get(tu[0], what + ".type"), get(tu[1], what + ".unit"));
    }
  }
}
