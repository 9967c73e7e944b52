package dev.ddsls.analysis.pprof;

import java.util.List;

/**
 * What the JVM does in a native/VM frame, so reports name it ({@code jvm:class-loading}) rather than showing a bare
 * "(native)" bucket. Matched on HotSpot's C++ symbol prefixes and on the compiler/GC thread names.
 */
public enum JvmActivity {
  CLASS_LOADING("class-loading", "ClassFileParser::", "SystemDictionary::", "ClassLoader::", "Verifier::", "ClassVerifier::",
      "Rewriter::", "LinkResolver::", "InstanceKlass::link", "JVM_DefineClass", "JVM_FindClass", "ClassLoaderData",
      "Dictionary::", "KlassFactory::", "defineClass", "JVM_LookupDefineClass"),
  INTERPRETER("interpreter", "Interpreter", "InterpreterRuntime::", "BytecodeInterpreter", "TemplateInterpreter"),
  JIT("jit", "CompileBroker::", "C2Compiler", "C1Compiler", "Compilation::", "Compile::", "PhaseIdealLoop", "PhaseChaitin",
      "PhaseIterGVN", "PhaseCFG", "PhaseOutput", "PhaseGVN", "Parse::", "GraphBuilder::", "LinearScan::", "LIR_", "Matcher::",
      "IR::", "ciEnv::", "ciMethod::", "CodeCache::", "nmethod::", "CompilationPolicy::", "TieredThresholdPolicy::"),
  GC("gc", "G1", "PSScavenge", "ParallelScavenge", "PSParallelCompact", "CollectedHeap", "VM_CollectForMetadataAllocation",
      "VM_GC", "GenCollectedHeap", "SerialHeap", "MarkSweep", "DefNewGeneration", "ShenandoahHeap", "ZHeap"),
  METASPACE("metaspace", "Metaspace::", "MetaspaceArena::", "ClassLoaderMetaspace::"),
  ZIP("zip", "ZIP_", "inflate", "Inflater", "java.util.zip.", "java.util.jar.", "Java_java_util_zip_", "crc32", "adler32"),
  SAFEPOINT("safepoint", "SafepointSynchronize::", "SafepointMechanism::", "VMThread::", "VM_Operation::"),
  SYMBOL_TABLES("symbol-tables", "SymbolTable::", "StringTable::", "Symbol::"),
  PROFILER("profiler", "Profiler::", "one.profiler.", "libasyncProfiler", "AsyncGetCallTrace", "StackWalker::", "CTimer::",
      "PerfEvents::", "WallClock::", "FrameName::"),
  OTHER_JVM("other-jvm");

  private final String label;
  private final String[] prefixes;

  JvmActivity(String label, String... prefixes) {
    this.label = label;
    this.prefixes = prefixes;
  }

  /** {@code class-loading}, {@code jit}, ... */
  public String label() { return label; }

  /** The package-table key of the activity, e.g. {@code jvm:class-loading}. */
  public String key() { return "jvm:" + label; }

  /** The activity of one native frame; {@link #OTHER_JVM} when no prefix matches. */
  public static JvmActivity of(String frame) {
    JvmActivity a = match(frame);
    return a == null ? OTHER_JVM : a;
  }

  /**
   * The activity of a sample: the first native frame from the leaf that names one (a {@code memcpy} under
   * {@code ClassFileParser::} is class loading), else by thread name (compiler and GC threads), else {@link #OTHER_JVM}.
   */
  public static JvmActivity ofStack(List<String> stackLeafFirst, String threadName) {
    for (String f : stackLeafFirst) {
      if (FrameKind.isJavaMethod(f)) {
        if (f.startsWith("one.profiler.")) return PROFILER;
        if (f.startsWith("java.util.zip.") || f.startsWith("java.util.jar.")) return ZIP;
        break; // Java code reached: native frames above the leaf's Java caller say no more
      }
      JvmActivity a = match(f);
      if (a != null) return a;
    }
    if (threadName != null) {
      if (threadName.contains("Compiler")) return JIT;
      if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ") || threadName.startsWith("ZWorker")
          || threadName.startsWith("Shenandoah")) return GC;
    }
    return OTHER_JVM;
  }

  private static JvmActivity match(String frame) {
    for (JvmActivity a : values()) {
      for (String p : a.prefixes) {
        if (frame.startsWith(p) || (a == PROFILER && frame.contains("libasyncProfiler"))) return a;
      }
    }
    return null;
  }
}
