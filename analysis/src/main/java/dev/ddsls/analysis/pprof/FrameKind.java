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

  /** Whether the name is a Java method: {@code [pkg.]Class.method} of identifier segments, lambda classes allowed. */
  public static boolean isJavaMethod(String frame) {
    if (frame == null || frame.isEmpty()) return false;
    String name = stripLambdaSuffix(frame);
    int methodDot = name.lastIndexOf('.');
    if (methodDot <= 0 || methodDot == name.length() - 1) return false;
    String method = name.substring(methodDot + 1);
    if (!method.equals("<init>") && !method.equals("<clinit>") && !isIdentifier(method)) return false;
    String owner = name.substring(0, methodDot);
    for (String seg : owner.split("\\.", -1)) {
      if (!isIdentifier(seg)) return false;
    }
    return true;
  }

  // HotSpot names hidden classes Foo$$Lambda/0x..., or Foo$$Lambda.0x... in newer JDKs: keep the class, drop the address.
  static String stripLambdaSuffix(String frame) {
    int l = frame.indexOf("$$Lambda");
    if (l < 0) return frame;
    int end = l + "$$Lambda".length();
    int methodDot = frame.lastIndexOf('.');
    if (methodDot <= end) return frame;
    String between = frame.substring(end, methodDot);
    // between is "", "$12", "/0x0000000800c01234" or ".0x0000000800c01234"
    if (between.isEmpty() || between.matches("(\\$\\d+)?([/.]0x[0-9a-fA-F]+)?")) return frame.substring(0, end) + frame.substring(methodDot);
    return frame;
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) return false;
    for (int i = 1; i < s.length(); i++) {
      if (!Character.isJavaIdentifierPart(s.charAt(i))) return false;
    }
    return true;
  }

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
