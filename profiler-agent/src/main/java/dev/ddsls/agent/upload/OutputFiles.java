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
  private final File dir;
  static final String CLASSES_PREFIX = "first-invocation-classes-";
  private int profileSeq = -1;
  private int spansSeq = -1;
  private int classesSeq = -1;

  OutputFiles(String dir) { this.dir = new File(dir); }

  /** The next number for {@code profile-<seq>-*.pb.gz} and {@code event-<seq>.json}. */
  synchronized int nextProfileSeq() {
    if (profileSeq < 0) scan();
    return ++profileSeq;
  }

  /** The next number for {@code spans-<seq>.jsonl}. */
  synchronized int nextSpansSeq() {
    if (spansSeq < 0) scan();
    return ++spansSeq;
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
    int maxProfile = 0;
    int maxSpans = 0;
    int maxClasses = 0;
    String[] names = dir.list();
    if (names != null) {
      for (String n : names) {
        if (n.startsWith("profile-")) maxProfile = Math.max(maxProfile, leadingNumber(n, 8));
        else if (n.startsWith("event-")) maxProfile = Math.max(maxProfile, leadingNumber(n, 6));
        else if (n.startsWith("spans-")) maxSpans = Math.max(maxSpans, leadingNumber(n, 6));
        else if (n.startsWith(CLASSES_PREFIX)) maxClasses = Math.max(maxClasses, leadingNumber(n, CLASSES_PREFIX.length()));
      }
    }
    if (profileSeq < 0) profileSeq = maxProfile;
    if (spansSeq < 0) spansSeq = maxSpans;
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
