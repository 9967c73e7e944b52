package dev.ddsls.collector;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sizes ({@code 50MiB}, {@code 2GB}, {@code 1024}) and durations ({@code 7d}, {@code 12h}) of the options. */
public final class Units {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?)b?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

  private Units() {}

  public static long bytes(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("not a size: " + text + " (e.g. 50MiB, 2GiB, 500MB, 1048576)");
    int power = "kmgt".indexOf(m.group(2)) + 1;
    long base = m.group(3).isEmpty() && power > 0 ? 1000 : 1024;
    long v = Long.parseLong(m.group(1));
    for (int i = 0; i < power; i++) v = Math.multiplyExact(v, base);
    return v;
  }

  public static long millis(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("not a duration: " + text + " (e.g. 7d, 12h, 30m)");
    long v = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms": return v;
      case "s": return Math.multiplyExact(v, 1000L);
      case "m": return Math.multiplyExact(v, 60_000L);
      case "h": return Math.multiplyExact(v, 3_600_000L);
      case "d": return Math.multiplyExact(v, 86_400_000L);
      default: return Math.multiplyExact(v, 7 * 86_400_000L);
    }
  }
}
