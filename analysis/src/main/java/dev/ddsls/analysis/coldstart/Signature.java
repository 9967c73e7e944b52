package dev.ddsls.analysis.coldstart;

import java.util.List;

/**
 * Class loading recognised by frames on the init-phase stacks (coldstart research, table 2.4): a sample counts when
 * any of its frames starts with one of {@code prefixes}. The libraries are {@link Recogniser}s.
 */
public record Signature(String id, String title, List<String> prefixes, String advice, String reference) {

  public boolean matches(List<String> stack) {
    for (String frame : stack) {
      for (String p : prefixes) {
        if (frame.startsWith(p)) return true;
      }
    }
    return false;
  }

  /** Class loading, counted separately from the libraries (it is under all of them). */
  public static final Signature CLASS_LOADING = new Signature("class-loading-heavy", "Class loading dominates init",
      List.of("java.lang.ClassLoader.loadClass", "java.lang.ClassLoader.defineClass", "jdk.internal.loader.BuiltinClassLoader.",
          "jdk.internal.loader.ClassLoaders$AppClassLoader.loadClass", "java.net.URLClassLoader.", "java.lang.Class.forName0",
          "java.util.zip.ZipFile", "java.util.jar.JarFile", "java.lang.ClassLoader.findBootstrapClass"),
      "Load fewer classes: drop unused dependencies, put dependency jars in lib/ instead of one fat jar, or use "
          + "AppCDS / SnapStart with class priming.",
      "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html");

  // HotSpot's own frames of parsing, linking and verifying (native stacks of async-profiler).
  private static final List<String> VM_CLASS_LOADING = List.of("ClassFileParser::", "ClassLoader::", "SystemDictionary::",
      "Verifier::", "ClassVerifier::", "InstanceKlass::link", "Rewriter::", "JVM_DefineClass", "JVM_FindClassFromCaller");

  /**
   * Whether a sample is class loading itself: from the leaf, a loading/defining/linking/verifying frame comes before
   * any {@code <clinit>}. A static initialiser run by {@code Class.forName} is under loading frames but is the
   * class's own work, not loading.
   */
  public static boolean isClassLoading(List<String> stackLeafFirst) {
    for (String frame : stackLeafFirst) {
      if (frame.endsWith(".<clinit>")) return false;
      for (String p : CLASS_LOADING.prefixes) {
        if (frame.startsWith(p)) return true;
      }
      for (String p : VM_CLASS_LOADING) {
        if (frame.startsWith(p)) return true;
      }
    }
    return false;
  }

  /** Thread names of the JIT compiler and the garbage collector. */
  public static boolean isJitOrGcThread(String thread) {
    if (thread == null) return false;
    return thread.contains("CompilerThread") || thread.startsWith("GC Thread") || thread.startsWith("VM Thread")
        || thread.startsWith("G1 ") || thread.startsWith("Sweeper") || thread.contains("Compiler") || thread.startsWith("ZWorker")
        || thread.startsWith("Shenandoah");
  }
}
