package dev.ddsls.formats.jfr;

import java.util.Arrays;

/** Open-addressing map from long keys (JFR constant pool ids) to values, without boxing. */
final class LongMap<V> {
  private long[] keys = new long[16];
  private Object[] values = new Object[16];
  private int size;

  @SuppressWarnings("unchecked")
  V get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) return null;
      if (keys[i] == key) return (V) v;
    }
  }

  /** Maps {@code key} to {@code value} (not null), replacing any previous value. */
  void put(long key, V value) {
    if (2 * (size + 1) > keys.length) grow();
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (values[i] != null && keys[i] != key) i = (i + 1) & mask;
    if (values[i] == null) size++;
    keys[i] = key;
    values[i] = value;
  }

  void clear() {
    if (size == 0) return;
    Arrays.fill(values, null);
    size = 0;
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ h >>> 32) & mask;
  }

  private void grow() {
    long[] k = keys;
    Object[] v = values;
    keys = new long[k.length * 2];
    values = new Object[k.length * 2];
    size = 0;
    for (int i = 0; i < k.length; i++) {
      if (v[i] != null) put(k[i], cast(v[i]));
    }
  }

  @SuppressWarnings("unchecked")
  private V cast(Object o) { return (V) o; }
}
