package dev.ddsls.agent;

import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Which classes the first invocation loaded (after init on demand; under SnapStart, everything loaded after the
 * snapshot: the afterRestore hooks and the first invocation), for a priming list: two
 * {@link Instrumentation#getAllLoadedClasses()} snapshots, both on the flush thread, never on the function's. No
 * class-load hook: a ClassFileLoadHook makes the JVM read every CDS-shared class's bytes again as it loads, on the
 * function's threads. On demand the first snapshot is taken as init ends, beside the first invocation, so a class
 * it loads in those first milliseconds can be missed; under SnapStart it is taken before the snapshot, so nothing is.
 */
final class FirstInvocationClasses {
  /** Memory bound: class names kept for one list. */
  static final int MAX_CLASSES = 50_000;

  /** One class and where it came from: a jar's file name, {@code jrt} for the JDK's own, or empty when unknown. */
  record Loaded(String name, String source) {}

  private final Instrumentation inst;
  private Set<Class<?>> before;
  private Class<?>[] after;
  private boolean done;

  FirstInvocationClasses(Instrumentation inst) { this.inst = inst; }

  /** The classes loaded now (the first snapshot); once. */
  void markBefore() {
    if (done || before != null) return;
    Class<?>[] all = inst.getAllLoadedClasses();
    Set<Class<?>> set = Collections.newSetFromMap(new IdentityHashMap<>(all.length * 2));
    Collections.addAll(set, all);
    before = set;
  }

  boolean waiting() { return before != null && after == null && !done; }

  /**
   * The classes loaded now (the second snapshot): only the array, a few ms, taken before the first invocation's flush
   * loads classes of its own; the comparison waits for {@link #loadedSince}, after the flush.
   */
  void markAfter() {
    if (waiting()) after = inst.getAllLoadedClasses();
  }

  /** The classes loaded between the two snapshots, in the JVM's order; once (null after, or without both). */
  List<Loaded> loadedSince() {
    if (before == null || after == null || done) return null;
    done = true;
    Class<?>[] all = after;
    after = null;
    List<Loaded> out = new ArrayList<>();
    for (Class<?> c : all) {
      if (before.contains(c) || !primable(c)) continue;
      if (out.size() >= MAX_CLASSES) break;
      out.add(new Loaded(c.getName(), source(c)));
    }
    before = null;
    return out;
  }

  /** What {@code Class.forName} can load again: no arrays, primitives, hidden classes (lambdas), nor the agent's own. */
  static boolean primable(Class<?> c) {
    if (c.isArray() || c.isPrimitive() || c.isHidden()) return false;
    String n = c.getName();
    return !n.startsWith("dev.ddsls.agent.") && !n.startsWith("dev.ddsls.formats.") && !n.startsWith("dev.ddsls.api.internal.")
        && !n.startsWith("one.profiler.")
        && !n.startsWith("jdk.jfr.") && !n.contains("$$Lambda") && !n.startsWith("jdk.proxy") && !n.startsWith("com.sun.proxy.");
  }

  private static String source(Class<?> c) {
    try {
      if (c.getClassLoader() == null) return "jrt";
      CodeSource cs = c.getProtectionDomain().getCodeSource();
      URL u = cs == null ? null : cs.getLocation();
      if (u == null) return "";
      if ("jrt".equals(u.getProtocol())) return "jrt"; // the platform loader's modules of the runtime image
      String path = u.getPath();
      if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
      return path.substring(path.lastIndexOf('/') + 1);
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** The list as written to {@code DDSLS_OUTPUT_DIR}: comment lines, then {@code class<TAB>source} per line. */
  static String format(List<Loaded> classes, String function, String initType, String requestId) {
    StringBuilder sb = new StringBuilder(64 + classes.size() * 60);
    sb.append("# ddsls first-invocation classes v1\n");
    if (function != null) sb.append("# function\t").append(function).append('\n');
    sb.append("# init_type\t").append(initType).append('\n');
    if (requestId != null) sb.append("# request_id\t").append(requestId).append('\n');
    for (Loaded l : classes) sb.append(l.name()).append('\t').append(l.source()).append('\n');
    return sb.toString();
  }
}
