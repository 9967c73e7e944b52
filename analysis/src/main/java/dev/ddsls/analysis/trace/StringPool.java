package dev.ddsls.analysis.trace;

import java.util.HashMap;

/**
 * Shares equal tag values between spans (env, region, function names, ARNs repeat across a million spans; each
 * parsed copy would cost its own String). Bounded: when full it starts over, so unique values (request ids) cannot
 * grow it and common values come back after the first span that uses them.
 */
final class StringPool {
  private static final int MAX = 1 << 16;
  private final HashMap<String, String> pool = new HashMap<>();

  String get(String s) {
    if (s == null || s.length() > 256) return s;
    String shared = pool.putIfAbsent(s, s);
    if (shared != null) return shared;
    if (pool.size() >= MAX) pool.clear();
    return s;
  }
}
