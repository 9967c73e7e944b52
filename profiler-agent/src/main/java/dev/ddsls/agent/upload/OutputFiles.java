package dev.ddsls.agent.upload;

import dev.ddsls.agent.AgentLog;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * Writes what the agent uploads into a directory ({@code DDSLS_OUTPUT_DIR}): written to a hidden temporary
 * file, then renamed, so a reader never sees half a file. Numbering continues after the highest number already
 * in the directory, so several JVMs run one after the other do not overwrite each other's files.
 */
final class OutputFiles {
  /**
   * The directory keeps the newest {@value} profile numbers (their cpu and wall files and event JSON) and the newest
   * {@value} span files: a function kept warm for weeks writes a file set per flush, and a disk that fills breaks more
   * than the agent. Past the bound (plus a tenth, so the directory is not listed on every write) the oldest numbers
   * are deleted, with one log line.
   */
  static final int KEEP = 1000;
  private final File dir;
  static final String CLASSES_PREFIX = "first-invocation-classes-";
  private final int keep;
  private int profileSeq = -1;
  private int spansSeq = -1;
  private int classesSeq = -1;
  private int oldestProfile;
  private int oldestSpans;

  OutputFiles(String dir) { this(dir, KEEP); }

  OutputFiles(String dir, int keep) {
    this.dir = new File(dir);
    this.keep = keep;
  }

  /** The next number for {@code profile-<seq>-*.pb.gz} and {@code event-<seq>.json}. */
  synchronized int nextProfileSeq() {
    if (profileSeq < 0) scan();
    ++profileSeq;
    if (profileSeq - oldestProfile >= keep + keep / 10) oldestProfile = drop(true, profileSeq - keep);
    return profileSeq;
  }

  /** The next number for {@code spans-<seq>.jsonl}. */
  synchronized int nextSpansSeq() {
    if (spansSeq < 0) scan();
    ++spansSeq;
    if (spansSeq - oldestSpans >= keep + keep / 10) oldestSpans = drop(false, spansSeq - keep);
    return spansSeq;
  }

  /** Deletes the profile (or span) files numbered up to {@code upTo}; returns the oldest number left. */
  private int drop(boolean profiles, int upTo) {
    String[] names = dir.list();
    int dropped = 0;
    if (names != null) {
      for (String n : names) {
        int seq = profiles ? (n.startsWith("profile-") ? leadingNumber(n, 8) : n.startsWith("event-") ? leadingNumber(n, 6) : 0)
            : n.startsWith("spans-") ? leadingNumber(n, 6) : 0;
        if (seq > 0 && seq <= upTo && new File(dir, n).delete()) dropped++;
      }
    }
    if (dropped > 0) {
      AgentLog.once("output-bound:" + profiles + ":" + dir, "DDSLS_OUTPUT_DIR " + dir + " keeps the newest " + keep + " " + (profiles ? "profiles" : "span files")
          + ": the oldest are deleted from now on");
    }
    return upTo + 1;
  }

  /** The next number for {@code first-invocation-classes-<seq>.tsv}. */
  synchronized int nextClassesSeq() {
    if (classesSeq < 0) scan();
    return ++classesSeq;
  }

  /** Four digits at least: profile-0001-cpu.pb.gz sorts by name. */
  static String seq(int n) {
    String s = Integer.toString(n);
    return s.length() >= 4 ? s : "0000".substring(s.length()) + s;
  }

  /** Writes {@code name} atomically; false (logged once) if it could not be written. */
  boolean write(String name, byte[] data) {
    File tmp = new File(dir, "." + name + ".tmp");
    try {
      if (!dir.isDirectory() && !dir.mkdirs() && !dir.isDirectory()) throw new IOException("cannot create the directory");
      try (FileOutputStream out = new FileOutputStream(tmp)) {
        out.write(data);
      }
      File target = new File(dir, name);
      if (!tmp.renameTo(target)) throw new IOException("cannot rename " + tmp.getName() + " to " + name);
      return true;
    } catch (IOException | RuntimeException e) {
      tmp.delete();
      AgentLog.once("output:" + dir, "cannot write to DDSLS_OUTPUT_DIR " + dir + ": " + AgentLog.describe(e));
      return false;
    }
  }

  private void scan() {
    int maxProfile = 0, minProfile = Integer.MAX_VALUE;
    int maxSpans = 0, minSpans = Integer.MAX_VALUE;
    int maxClasses = 0;
    String[] names = dir.list();
    if (names != null) {
      for (String n : names) {
        int seq = n.startsWith("profile-") ? leadingNumber(n, 8) : n.startsWith("event-") ? leadingNumber(n, 6) : -1;
        if (seq > 0) {
          maxProfile = Math.max(maxProfile, seq);
          minProfile = Math.min(minProfile, seq);
        } else if (n.startsWith("spans-") && (seq = leadingNumber(n, 6)) > 0) {
          maxSpans = Math.max(maxSpans, seq);
          minSpans = Math.min(minSpans, seq);
        } else if (n.startsWith(CLASSES_PREFIX)) {
          maxClasses = Math.max(maxClasses, leadingNumber(n, CLASSES_PREFIX.length()));
        }
      }
    }
    if (profileSeq < 0) {
      profileSeq = maxProfile;
      oldestProfile = minProfile == Integer.MAX_VALUE ? maxProfile + 1 : minProfile;
    }
    if (spansSeq < 0) {
      spansSeq = maxSpans;
      oldestSpans = minSpans == Integer.MAX_VALUE ? maxSpans + 1 : minSpans;
    }
    if (classesSeq < 0) classesSeq = maxClasses;
  }

  private static int leadingNumber(String s, int from) {
    int n = 0;
    for (int i = from; i < s.length() && i < from + 9; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') break;
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
