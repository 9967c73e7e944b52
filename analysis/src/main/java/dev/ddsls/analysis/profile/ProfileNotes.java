package dev.ddsls.analysis.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the readers left out of many profiles, summed by reason for a report's notes: a collector can hold thousands
 * of recordings, and one line per recording and reason would drown the report.
 */
public final class ProfileNotes {
  private final Map<String, long[]> byReason = new TreeMap<>(); // reason -> {count, inputs}
  private final List<String> unreadable = new ArrayList<>();

  public void add(ProfileReader.Read r) {
    r.leftOut().forEach((what, n) -> {
      long[] c = byReason.computeIfAbsent(what, k -> new long[2]);
      c[0] += n;
      c[1]++;
    });
  }

  /** An input left out whole, and why. */
  public void unreadable(String id, String reason) { unreadable.add(id + ": left out, not a readable profile (" + reason + ")"); }

  public List<String> lines() {
    List<String> out = new ArrayList<>();
    byReason.forEach((what, c) -> out.add(c[0] + " " + what + (c[1] > 1 ? " (in " + c[1] + " recordings)" : "")));
    out.addAll(unreadable);
    return out;
  }
}
