package dev.ddsls.analysis.pprof;

import java.util.Locale;

/**
 * What a profile frame is: a native/VM symbol, or a Java method of the JDK, the Lambda runtime interface client, a
 * profiling agent, a well-known library, or the function's own code. A frame is a Java method only when its name is
 * {@code segment(.segment)*.Class.method} with Java identifier segments, so glibc symbols
 * ({@code clock_gettime@@GLIBC_2.17}), compiler clones ({@code skip_over_fieldname.constprop.0}) and C++ frames
 * never pass for a package or for the function's code.
 */
public enum FrameKind {
  NATIVE, JDK, RUNTIME, AGENT, LIBRARY, OWN;

  private static final String[] JDK_ROOTS = {"java.", "javax.", "jdk.", "sun.", "com.sun."};
  private static final String[] RUNTIME_ROOTS = {"com.amazonaws.services.lambda.runtime.", "lambdainternal."};
  private static final String[] AGENT_ROOTS = {"dev.ddsls.", "one.profiler."};
  // Known third-party libraries (the JDK, runtime and agent roots are matched first).
  private static final String[] LIBRARY_ROOTS = {
      "jakarta.", "kotlin.", "kotlinx.", "scala.", "com.fasterxml.", "software.amazon.", "com.amazonaws.", "io.netty.",
      "org.apache.", "org.springframework.", "com.google.", "io.micronaut.", "io.quarkus.", "org.slf4j.", "ch.qos.",
      "org.eclipse.", "org.jboss.", "org.hibernate.", "io.opentelemetry.", "datadog.", "com.datadoghq.", "com.datadog.",
      "okhttp3.", "okio.", "com.squareup.", "reactor.", "io.reactivex.", "net.bytebuddy.", "org.glassfish.", "io.vertx.",
      "org.json.", "org.yaml.", "com.zaxxer.", "org.postgresql.", "com.mysql.", "redis.", "io.lettuce.", "org.joda.",
      "io.github.classgraph.", "org.reflections.", "javassist.", "org.objectweb.asm.", "dagger.", "org.aspectj.",
      "io.micrometer.", "org.codehaus.", "org.jetbrains.", "org.intellij.", "com.esotericsoftware.", "org.crac."};

  /** The kind of {@code frame}, with own code not restricted to a handler package. */
  public static FrameKind of(String frame) { return of(frame, OwnCode.UNKNOWN); }

  /**
   * The kind of {@code frame}. With own code known (the deployment package's own packages, or the handler's
   * package), only frames of it are {@link #OWN} and other packages are {@link #LIBRARY}; without it, any Java frame
   * not of a known root is own.
   */
  public static FrameKind of(String frame, OwnCode own) {
    if (!isJavaMethod(frame)) return NATIVE;
    if (startsWithAny(frame, JDK_ROOTS)) return JDK;
    if (startsWithAny(frame, RUNTIME_ROOTS)) return RUNTIME;
    if (startsWithAny(frame, AGENT_ROOTS)) return AGENT;
    if (own.known()) return own.owns(frame) ? OWN : LIBRARY;
    if (startsWithAny(frame, LIBRARY_ROOTS)) return LIBRARY;
    return OWN;
  }

  /**
   * Whether the name is a Java method: {@code [pkg.]Class.method} of identifier segments, lambda classes allowed.
   * Called for every frame of every sample a diagnosis ranks, so it reads the name in place and allocates nothing
   * (splitting it allocated 1.2 GB of a 5.4 GB diagnosis of 2,000 profiles in bench/diagnose-bench.sh).
   */
  public static boolean isJavaMethod(String frame) {
    if (frame == null || frame.isEmpty()) return false;
    int methodDot = frame.lastIndexOf('.');
    if (methodDot <= 0 || methodDot == frame.length() - 1) return false;
    if (!isMethodName(frame, methodDot + 1, frame.length())) return false;
    return isDottedIdentifiers(frame, 0, hiddenClassEnd(frame, methodDot));
  }

  private static boolean isMethodName(String s, int from, int to) {
    return s.startsWith("<init>", from) && to - from == 6 || s.startsWith("<clinit>", from) && to - from == 8 || isIdentifier(s, from, to);
  }

  /**
   * Where the owner of a method ends: HotSpot names hidden classes {@code Foo$$Lambda/0x...}, {@code Foo$$Lambda$12}
   * or, in newer JDKs, {@code Foo$$Lambda.0x...}; the class is kept, the number and address dropped.
   */
  private static int hiddenClassEnd(String frame, int methodDot) {
    int l = frame.indexOf("$$Lambda");
    if (l < 0) return methodDot;
    int end = l + "$$Lambda".length();
    if (methodDot <= end) return methodDot;
    // Between end and methodDot: "$digits", then "/0x" or ".0x" and hex digits, each optional.
    int i = end;
    if (frame.charAt(i) == '$') {
      int digits = ++i;
      while (i < methodDot && frame.charAt(i) >= '0' && frame.charAt(i) <= '9') i++;
      if (i == digits) return methodDot;
    }
    if (i < methodDot && (frame.charAt(i) == '/' || frame.charAt(i) == '.')) {
      if (!frame.startsWith("0x", i + 1)) return methodDot;
      int hex = i += 3;
      while (i < methodDot && isHexDigit(frame.charAt(i))) i++;
      if (i == hex) return methodDot;
    }
    return i == methodDot ? end : methodDot;
  }

  private static boolean isHexDigit(char c) { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'; }

  /** The frame with a hidden class's number and address dropped ({@link #hiddenClassEnd}). */
  static String stripLambdaSuffix(String frame) {
    int methodDot = frame.lastIndexOf('.');
    if (methodDot < 0) return frame;
    int end = hiddenClassEnd(frame, methodDot);
    return end == methodDot ? frame : frame.substring(0, end) + frame.substring(methodDot);
  }

  /** Whether {@code s[from, to)} is identifiers joined by single dots. */
  private static boolean isDottedIdentifiers(String s, int from, int to) {
    int start = from;
    for (int i = from; i <= to; i++) {
      if (i == to || s.charAt(i) == '.') {
        if (!isIdentifier(s, start, i)) return false;
        start = i + 1;
      }
    }
    return true;
  }

  private static boolean isIdentifier(String s, int from, int to) {
    if (from >= to || !Character.isJavaIdentifierStart(s.charAt(from))) return false;
    for (int i = from + 1; i < to; i++) {
      if (!Character.isJavaIdentifierPart(s.charAt(i))) return false;
    }
    return true;
  }

  private static boolean isIdentifier(String s) { return isIdentifier(s, 0, s.length()); }

  private static boolean startsWithAny(String s, String[] roots) {
    for (String r : roots) {
      if (s.startsWith(r)) return true;
    }
    return false;
  }

  /** Whether {@code pkgDot} is under one of the known library roots (JDK, runtime and agent included). */
  static boolean isKnownRoot(String pkgDot) {
    return startsWithAny(pkgDot, JDK_ROOTS) || startsWithAny(pkgDot, RUNTIME_ROOTS) || startsWithAny(pkgDot, AGENT_ROOTS)
        || startsWithAny(pkgDot, LIBRARY_ROOTS);
  }

  /** The handler's package from a handler string {@code pkg.Class::method} or {@code pkg.Class}; null without a package. */
  public static String handlerPackage(String handler) {
    if (handler == null) return null;
    String h = handler.trim();
    int colons = h.indexOf("::");
    if (colons >= 0) h = h.substring(0, colons);
    int dot = h.lastIndexOf('.');
    if (dot <= 0) return null;
    String pkg = h.substring(0, dot);
    for (String seg : pkg.split("\\.", -1)) {
      if (!isIdentifier(seg)) return null;
    }
    return pkg;
  }

  public String label() { return name().toLowerCase(Locale.ROOT); }
}
