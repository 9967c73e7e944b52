package dev.ddsls.analysis.priming;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's list of the classes a function's first invocation loaded ({@code first-invocation-classes-<seq>.tsv}
 * in {@code DDSLS_OUTPUT_DIR}, format v1): comment lines {@code # key<TAB>value} ({@code function},
 * {@code init_type}, {@code request_id}), then {@code class<TAB>source} per line, source being the jar's file name,
 * {@code jrt} for the JDK's own classes, or empty.
 */
public record ClassList(String id, String function, String initType, String requestId, List<Loaded> classes) {
  /** One class and the jar (or {@code jrt}) it came from. */
  public record Loaded(String name, String source) {}

  public static final String FILE_PREFIX = "first-invocation-classes-";
  static final String HEADER = "# ddsls first-invocation classes v1";
  /** Memory bound, as the agent's. */
  static final int MAX_CLASSES = 50_000;

  /** Whether a file name is one of the agent's class lists. */
  public static boolean isClassList(String fileName) { return fileName.startsWith(FILE_PREFIX) && fileName.endsWith(".tsv"); }

  /** @throws IOException when the text is not a class list of this version (naming {@code id}) */
  public static ClassList read(BufferedReader in, String id) throws IOException {
    String first = in.readLine();
    if (first == null || !first.equals(HEADER)) throw new IOException(id + ": not a ddsls class list (first line '" + first + "')");
    String function = null, initType = null, requestId = null;
    List<Loaded> classes = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      int tab = line.indexOf('\t');
      if (line.startsWith("#")) {
        if (tab < 0) continue;
        String key = line.substring(1, tab).strip(), value = line.substring(tab + 1).strip();
        if (key.equals("function")) function = value;
        else if (key.equals("init_type")) initType = value;
        else if (key.equals("request_id")) requestId = value;
        continue;
      }
      if (classes.size() >= MAX_CLASSES) break;
      String name = tab < 0 ? line.strip() : line.substring(0, tab).strip();
      if (!validName(name)) throw new IOException(id + ": not a class name: '" + (name.length() > 80 ? name.substring(0, 80) : name) + "'");
      classes.add(new Loaded(name, tab < 0 ? "" : line.substring(tab + 1).strip()));
    }
    return new ClassList(id, function, initType, requestId, classes);
  }

  /** A binary class name: Java identifier parts separated by dots ({@code $} allowed). */
  static boolean validName(String s) {
    if (s.isEmpty() || s.length() > 1000) return false;
    boolean start = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (start) return false;
        start = true;
      } else if (start ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c)) {
        start = false;
      } else {
        return false;
      }
    }
    return !start;
  }
}
