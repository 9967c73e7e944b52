package dev.ddsls.formats.pprof;

import static dev.ddsls.formats.pprof.Pprof.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.zip.GZIPOutputStream;

/**
 * Builds one pprof {@code perftools.profiles.Profile}. Strings, functions and locations are deduplicated as they
 * arrive; samples with the same stack and labels are merged by adding their values. Not thread-safe.
 */
public final class ProfileBuilder {
  private static final long THE_MAPPING = 1; // the one Mapping every Location points to

  // Label encoding inside a sample key: (key string id, kind, str id or num).
  private static final long LABEL_KIND_STR = 0, LABEL_KIND_NUM = 1;

  private final int valueCount;
  private final long[] sampleTypeIds; // pairs: type, unit
  private final long periodTypeId, periodUnitId, period;
  private long timeNanos, durationNanos;

  private final HashMap<String, Integer> stringIds = new HashMap<>();
  private final ArrayList<String> strings = new ArrayList<>();
  private final ArrayList<Long> commentIds = new ArrayList<>();

  private final HashMap<String, Integer> functionIds = new HashMap<>();
  private long[] functionNames = new long[64], functionFiles = new long[64]; // index = id - 1
  private int functionCount;

  private final HashMap<Frame, Integer> locationIds = new HashMap<>();
  private long[] locationFunctions = new long[64], locationLines = new long[64]; // index = id - 1
  private int locationCount;

  private final HashMap<SampleKey, SampleKey> samples = new HashMap<>();
  private final ArrayList<SampleKey> sampleOrder = new ArrayList<>();
  private long[] sampleValues = new long[64]; // sample index * valueCount + value index
  private final SampleKey probe = new SampleKey(new long[64]);

  /**
   * @param sampleTypes (type, unit) per value, e.g. {@code {{"samples","count"},{"cpu","nanoseconds"}}}
   * @param period the sampling period, in {@code periodUnit}
   */
  public ProfileBuilder(String[][] sampleTypes, String periodType, String periodUnit, long period) {
    intern("");
    valueCount = sampleTypes.length;
    sampleTypeIds = new long[valueCount * 2];
    for (int i = 0; i < valueCount; i++) {
      sampleTypeIds[2 * i] = intern(sampleTypes[i][0]);
      sampleTypeIds[2 * i + 1] = intern(sampleTypes[i][1]);
    }
    periodTypeId = intern(periodType);
    periodUnitId = intern(periodUnit);
    this.period = period;
  }

  /** One string or numeric sample label. */
  public static final class Label {
    final String key;
    final String str;
    final long num;

    private Label(String key, String str, long num) {
      this.key = key == null ? "" : key;
      this.str = str;
      this.num = num;
    }

    /** A string label. An empty value is dropped: pprof cannot tell {@code str=""} from {@code num=0}. */
    public static Label str(String key, String value) { return new Label(key, value == null ? "" : value, 0); }

    public static Label num(String key, long value) { return new Label(key, null, value); }
  }

  /**
   * Adds {@code values} (one per sample type) for a stack, leaf first. A sample with the same stack and labels
   * as an earlier one is merged into it.
   */
  public void addSample(Frame[] stackLeafFirst, long[] values, Label... labels) {
    if (values.length != valueCount) {
      throw new IllegalArgumentException("expected " + valueCount + " values, got " + values.length);
    }
    int labelCount = labels == null ? 0 : labels.length;
    long[] k = probe.ensure(1 + stackLeafFirst.length + 3 * labelCount);
    int n = 1;
    for (Frame f : stackLeafFirst) {
      if (f != null) k[n++] = locationId(f);
    }
    k[0] = n - 1;
    int labelStart = n;
    for (int i = 0; i < labelCount; i++) {
      Label l = labels[i];
      if (l == null || (l.str != null && l.str.isEmpty())) continue;
      k[n++] = intern(l.key);
      if (l.str != null) {
        k[n++] = LABEL_KIND_STR;
        k[n++] = intern(l.str);
      } else {
        k[n++] = LABEL_KIND_NUM;
        k[n++] = l.num;
      }
    }
    sortLabels(k, labelStart, n); // label order must not split otherwise identical samples
    probe.set(n);

    SampleKey found = samples.get(probe);
    int index;
    if (found == null) {
      index = sampleOrder.size();
      SampleKey stored = new SampleKey(Arrays.copyOf(k, n));
      stored.set(n);
      stored.index = index;
      samples.put(stored, stored);
      sampleOrder.add(stored);
      if ((index + 1) * valueCount > sampleValues.length) {
        sampleValues = Arrays.copyOf(sampleValues, Math.max(sampleValues.length * 2, (index + 1) * valueCount));
      }
    } else {
      index = found.index;
    }
    int base = index * valueCount;
    for (int i = 0; i < valueCount; i++) sampleValues[base + i] += values[i];
  }

  public void addComment(String text) { commentIds.add((long) intern(text)); }

  public void setTimeNanos(long epochNanos) { timeNanos = epochNanos; }

  public void setDurationNanos(long nanos) { durationNanos = nanos; }

  /** Distinct samples so far (after merging). */
  public int sampleCount() { return sampleOrder.size(); }

  /** The serialized Profile, uncompressed. */
  public byte[] encode() {
    ProtoWriter w = new ProtoWriter(256 + 32 * sampleOrder.size() + 24 * locationCount + 64 * strings.size());
    for (int i = 0; i < valueCount; i++) {
      valueType(w, PROFILE_SAMPLE_TYPE, sampleTypeIds[2 * i], sampleTypeIds[2 * i + 1]);
    }
    for (int s = 0; s < sampleOrder.size(); s++) writeSample(w, sampleOrder.get(s));

    int m = w.startMessage(PROFILE_MAPPING);
    w.int64(MAPPING_ID, THE_MAPPING);
    w.bool(MAPPING_HAS_FUNCTIONS, true);
    w.bool(MAPPING_HAS_FILENAMES, true);
    w.bool(MAPPING_HAS_LINE_NUMBERS, true);
    w.endMessage(m);

    for (int i = 0; i < locationCount; i++) {
      int loc = w.startMessage(PROFILE_LOCATION);
      w.int64(LOCATION_ID, i + 1);
      w.int64(LOCATION_MAPPING_ID, THE_MAPPING);
      int line = w.startMessage(LOCATION_LINE);
      w.int64(LINE_FUNCTION_ID, locationFunctions[i]);
      w.int64(LINE_LINE, locationLines[i]);
      w.endMessage(line);
      w.endMessage(loc);
    }
    for (int i = 0; i < functionCount; i++) {
      int fn = w.startMessage(PROFILE_FUNCTION);
      w.int64(FUNCTION_ID, i + 1);
      w.int64(FUNCTION_NAME, functionNames[i]);
      w.int64(FUNCTION_SYSTEM_NAME, functionNames[i]);
      w.int64(FUNCTION_FILENAME, functionFiles[i]);
      w.endMessage(fn);
    }
    for (int i = 0; i < strings.size(); i++) w.string(PROFILE_STRING_TABLE, strings.get(i));
    w.int64(PROFILE_TIME_NANOS, timeNanos);
    w.int64(PROFILE_DURATION_NANOS, durationNanos);
    valueType(w, PROFILE_PERIOD_TYPE, periodTypeId, periodUnitId);
    w.int64(PROFILE_PERIOD, period);
    long[] comments = new long[commentIds.size()];
    for (int i = 0; i < comments.length; i++) comments[i] = commentIds.get(i);
    w.packed(PROFILE_COMMENT, comments, 0, comments.length);
    return w.toByteArray();
  }

  /** The serialized Profile, gzipped: the on-disk and intake form. */
  public byte[] encodeGzipped() {
    byte[] raw = encode();
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  private void writeSample(ProtoWriter w, SampleKey key) {
    long[] k = key.data;
    int stackLen = (int) k[0];
    int s = w.startMessage(PROFILE_SAMPLE);
    w.packed(SAMPLE_LOCATION_ID, k, 1, stackLen);
    w.packed(SAMPLE_VALUE, sampleValues, key.index * valueCount, valueCount);
    for (int i = 1 + stackLen; i < key.len; i += 3) {
      int l = w.startMessage(SAMPLE_LABEL);
      w.int64(LABEL_KEY, k[i]);
      w.int64(k[i + 1] == LABEL_KIND_STR ? LABEL_STR : LABEL_NUM, k[i + 2]);
      w.endMessage(l);
    }
    w.endMessage(s);
  }

  private static void valueType(ProtoWriter w, int field, long type, long unit) {
    int m = w.startMessage(field);
    w.int64(VALUE_TYPE_TYPE, type);
    w.int64(VALUE_TYPE_UNIT, unit);
    w.endMessage(m);
  }

  private int intern(String s) {
    Integer id = stringIds.get(s);
    if (id != null) return id;
    int next = strings.size();
    strings.add(s);
    stringIds.put(s, next);
    return next;
  }

  private int locationId(Frame f) {
    Integer id = locationIds.get(f);
    if (id != null) return id;
    if (locationCount == locationFunctions.length) {
      locationFunctions = Arrays.copyOf(locationFunctions, locationCount * 2);
      locationLines = Arrays.copyOf(locationLines, locationCount * 2);
    }
    locationFunctions[locationCount] = functionId(f);
    locationLines[locationCount] = f.line;
    int next = ++locationCount;
    locationIds.put(f, next);
    return next;
  }

  private int functionId(Frame f) {
    String key = f.className + '\0' + f.method;
    Integer id = functionIds.get(key);
    if (id != null) return id;
    if (functionCount == functionNames.length) {
      functionNames = Arrays.copyOf(functionNames, functionCount * 2);
      functionFiles = Arrays.copyOf(functionFiles, functionCount * 2);
    }
    functionNames[functionCount] = intern(f.name());
    functionFiles[functionCount] = f.className.isEmpty() ? 0 : intern(f.className.replace('.', '/') + ".java");
    int next = ++functionCount;
    functionIds.put(key, next);
    return next;
  }

  /** Insertion sort of (key, kind, value) triples in {@code k[from, to)}: samples carry only a few labels. */
  private static void sortLabels(long[] k, int from, int to) {
    for (int i = from + 3; i < to; i += 3) {
      long a = k[i], b = k[i + 1], c = k[i + 2];
      int j = i - 3;
      while (j >= from && compare(k[j], k[j + 1], k[j + 2], a, b, c) > 0) {
        k[j + 3] = k[j];
        k[j + 4] = k[j + 1];
        k[j + 5] = k[j + 2];
        j -= 3;
      }
      k[j + 3] = a;
      k[j + 4] = b;
      k[j + 5] = c;
    }
  }

  private static int compare(long a0, long a1, long a2, long b0, long b1, long b2) {
    if (a0 != b0) return Long.compare(a0, b0);
    if (a1 != b1) return Long.compare(a1, b1);
    return Long.compare(a2, b2);
  }

  /** A sample's identity: {@code [stack length, location ids..., label triples...]}, compared by content. */
  private static final class SampleKey {
    long[] data;
    int len;
    int hash;
    int index;

    SampleKey(long[] data) { this.data = data; }

    long[] ensure(int capacity) {
      if (data.length < capacity) data = new long[Math.max(capacity, data.length * 2)];
      return data;
    }

    void set(int len) {
      this.len = len;
      int h = 1;
      for (int i = 0; i < len; i++) h = 31 * h + Long.hashCode(data[i]);
      hash = h;
    }

    @Override public int hashCode() { return hash; }

    @Override public boolean equals(Object o) {
      if (!(o instanceof SampleKey)) return false;
      SampleKey other = (SampleKey) o;
      return len == other.len && hash == other.hash && Arrays.equals(data, 0, len, other.data, 0, len);
    }
  }
}
