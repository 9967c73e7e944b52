package dev.ddsls.analysis.coldstart;

import java.util.List;

/**
 * A well-known cold-start cause recognised by frames on the init-phase stacks (coldstart research, table 2.4):
 * a sample counts when any of its frames starts with one of {@code prefixes}.
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

  /** The library recognisers, most specific first. */
  public static final List<Signature> LIBRARIES = List.of(
      new Signature("aws-sdk-client-init", "AWS SDK client construction in init",
          List.of("software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder.build",
              "software.amazon.awssdk.core.internal.http.loader.", "software.amazon.awssdk.regions.providers.",
              "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider", "software.amazon.awssdk.profiles.ProfileFile",
              "software.amazon.awssdk.http.apache.", "software.amazon.awssdk.http.nio.netty.", "com.amazonaws.ClientConfiguration",
              "com.amazonaws.client.builder.AwsClientBuilder.build"),
          "Set the HTTP client (UrlConnectionHttpClient or AwsCrtHttpClient), region and credentials provider "
              + "explicitly, and exclude unused HTTP client artifacts.",
          "https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/lambda-optimize-starttime.html"),
      new Signature("jackson-init", "Jackson ObjectMapper set-up in init",
          List.of("com.fasterxml.jackson.databind.ObjectMapper.<init>", "com.fasterxml.jackson.databind.introspect.",
              "com.fasterxml.jackson.databind.ser.BeanSerializerFactory", "com.fasterxml.jackson.databind.deser.BeanDeserializerFactory",
              "com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.databind.ObjectMapper.<init>"),
          "Create one ObjectMapper and reuse it; consider jackson-jr, or a RequestStreamHandler to skip the runtime's "
              + "POJO serialisation.",
          "https://github.com/aws/aws-sdk-java-v2/issues/6"),
      new Signature("logging-init", "Logging framework bootstrap in init",
          List.of("org.apache.logging.log4j.core.LoggerContext.start", "org.apache.logging.log4j.core.config.",
              "org.apache.logging.log4j.core.config.plugins.util.PluginRegistry", "ch.qos.logback.classic.util.ContextInitializer",
              "ch.qos.logback.core.joran.", "org.slf4j.LoggerFactory.bind"),
          "Use a lighter logging set-up (fewer appenders and plugins, no package scanning) or slf4j-simple.",
          "https://github.com/aws-powertools/powertools-lambda-java/issues/121"),
      new Signature("di-classpath-scan", "Dependency injection / classpath scanning in init",
          List.of("org.springframework.context.annotation.ClassPathBeanDefinitionScanner", "org.springframework.core.type.classreading.",
              "org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean",
              "org.springframework.boot.SpringApplication.run", "io.github.classgraph.", "org.reflections.",
              "com.google.inject.internal.InjectorImpl", "io.micronaut.context.DefaultBeanContext.start"),
          "Avoid runtime classpath scanning: compile-time DI (Dagger, Micronaut, Quarkus), Spring AOT, or SnapStart.",
          "https://github.com/aws-samples/serverless-java-frameworks-samples"),
      new Signature("tls-init", "TLS / crypto set-up in init",
          List.of("sun.security.ssl.", "java.security.KeyStore.load", "javax.net.ssl.SSLContext.", "sun.security.provider.SeedGenerator",
              "java.security.SecureRandom.<init>"),
          "Create TLS contexts and connections once, in init or a SnapStart beforeCheckpoint hook (priming), or use the "
              + "AWS CRT HTTP client.",
          "https://aws.amazon.com/blogs/compute/optimizing-cold-start-performance-of-aws-lambda-using-advanced-priming-strategies-with-snapstart/"),
      new Signature("agent-init", "Java agent start-up in init",
          List.of("sun.instrument.", "java.lang.instrument.", "net.bytebuddy.", "io.opentelemetry.javaagent.", "datadog.trace.",
              "com.datadog.", "com.amazonaws.xray."),
          "Measure the agent's share of the cold start separately; enable its fast-startup options or drop it.",
          "https://github.com/open-telemetry/opentelemetry-lambda/pull/1180"));

  /** Thread names of the JIT compiler and the garbage collector. */
  public static boolean isJitOrGcThread(String thread) {
    if (thread == null) return false;
    return thread.contains("CompilerThread") || thread.startsWith("GC Thread") || thread.startsWith("VM Thread")
        || thread.startsWith("G1 ") || thread.startsWith("Sweeper") || thread.contains("Compiler") || thread.startsWith("ZWorker")
        || thread.startsWith("Shenandoah");
  }
}
