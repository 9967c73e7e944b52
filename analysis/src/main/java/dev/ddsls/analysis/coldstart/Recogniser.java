package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.FrameKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A well-known cold-start cause recognised by frames on the stacks, with its cost broken down into components
 * (and, for the AWS SDK, per service client). A sample belongs to the recogniser whose prefix matches the frame
 * nearest the leaf, so the recognisers partition the samples and their times add up; within a recogniser the
 * component is likewise the innermost match, so components partition the recogniser's time.
 */
public record Recogniser(String id, String title, List<String> prefixes, List<Component> components, String advice,
                         String reference) {

  /**
   * A named part of a library's work, recognised by frame prefixes. A {@code byCaller} component is helper work
   * (reading class metadata, resolving properties) that belongs to whichever component called it: it is the
   * sample's component only when no frame further from the leaf matches another.
   */
  public record Component(String name, List<String> prefixes, boolean byCaller) {
    public Component(String name, List<String> prefixes) {
      this(name, prefixes, false);
    }
  }

  /** Where one sample's time goes: the component, the frame that matched, the SDK service client (or null). */
  public record Match(String component, String frame, String client) {}

  /** Component of samples that match the library but none of its components. */
  public static final String OTHER = "other";

  static final String SDK_SERVICES = "software.amazon.awssdk.services.";

  /** Whether {@code frame} is one of this recogniser's frames. */
  boolean owns(String frame) {
    if (!FrameKind.isJavaMethod(frame)) return false;
    for (String p : prefixes) {
      if (frame.startsWith(p)) return true;
    }
    return false;
  }

  /** The match of a stack the recogniser owns (see {@link #recognise}). */
  Match match(List<String> stackLeafFirst) {
    String component = null, helper = null, frame = null, client = null;
    for (String f : stackLeafFirst) {
      if (frame == null && owns(f)) frame = f;
      if (component == null) {
        for (Component c : components) {
          if (startsWithAny(f, c.prefixes())) {
            if (!c.byCaller()) component = c.name();
            else if (helper == null) helper = c.name();
            if (frame == null) frame = f;
            break;
          }
        }
      }
      if (client == null && f.startsWith(SDK_SERVICES)) {
        int end = f.indexOf('.', SDK_SERVICES.length());
        if (end > 0) client = f.substring(SDK_SERVICES.length(), end);
      }
    }
    return new Match(component != null ? component : helper != null ? helper : OTHER, frame, client);
  }

  /** The recogniser owning the frame nearest the leaf, with the sample's match; null when none does. */
  static Map.Entry<Recogniser, Match> recognise(List<String> stackLeafFirst) {
    for (String f : stackLeafFirst) {
      for (Recogniser r : ALL) {
        if (r.owns(f)) return Map.entry(r, r.match(stackLeafFirst));
      }
    }
    return null;
  }

  static Recogniser byId(String id) {
    for (Recogniser r : ALL) {
      if (r.id.equals(id)) return r;
    }
    return null;
  }

  private static boolean startsWithAny(String f, List<String> prefixes) {
    for (String p : prefixes) {
      if (f.startsWith(p)) return true;
    }
    return false;
  }

  /** Milliseconds (per cold start) of one recogniser: by component, client, matched frame and own calling frame. */
  public static final class Tally {
    double ms;
    int samples;
    final Map<String, Double> components = new LinkedHashMap<>();
    final Map<String, Double> clients = new LinkedHashMap<>();
    final Map<String, Double> frames = new LinkedHashMap<>();
    final Map<String, Double> calledFrom = new LinkedHashMap<>();
    /** By the innermost own frame of the sample (the frame its time is charged to in the hotspot table). */
    final Map<String, Double> byChargedFrame = new LinkedHashMap<>();

    void add(Match m, double v, List<String> ownFramesOnStack, String charged) {
      ms += v;
      samples++;
      components.merge(m.component(), v, Double::sum);
      if (m.client() != null) clients.merge(m.client(), v, Double::sum);
      if (m.frame() != null) frames.merge(m.frame(), v, Double::sum);
      if (!ownFramesOnStack.isEmpty()) calledFrom.merge(ownFramesOnStack.get(0), v, Double::sum);
      if (charged != null) byChargedFrame.merge(charged, v, Double::sum);
    }

    /** Per invocation rather than in total. */
    void scale(double f) {
      ms *= f;
      for (Map<String, Double> m : List.of(components, clients, frames, calledFrom, byChargedFrame)) m.replaceAll((k, v) -> v * f);
    }

    public double ms() { return ms; }

    public int samples() { return samples; }

    public Map<String, Double> componentsMs() { return components; }

    public Map<String, Double> clientsMs() { return clients; }

    /** The share of samples whose matched component is a specific one (not {@link #OTHER}). */
    double specificShare() { return ms == 0 ? 0 : (ms - components.getOrDefault(OTHER, 0.0)) / ms; }

    /** ms of samples charged to {@code frame} (its innermost own frame). */
    public double chargedTo(String frame) { return byChargedFrame.getOrDefault(frame, 0.0); }

    /** high with >= 20 samples mostly in specific components, medium with >= 5, else low. */
    String confidence() {
      if (samples >= 20 && specificShare() >= 0.5) return "high";
      return samples >= 5 ? "medium" : "low";
    }

    /** The top {@code n} entries by ms as [{key: name, ms}] rows. */
    static List<Map<String, Object>> top(Map<String, Double> ms, String key, int n) {
      List<Map.Entry<String, Double>> es = new ArrayList<>(ms.entrySet());
      es.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : Double.compare(b.getValue(), a.getValue()));
      List<Map<String, Object>> out = new ArrayList<>();
      for (Map.Entry<String, Double> e : es.subList(0, Math.min(n, es.size()))) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(key, e.getKey());
        row.put("ms", InitFindings.round(e.getValue()));
        out.add(row);
      }
      return out;
    }
  }

  private static final String SDK = "software.amazon.awssdk.";
  private static final String RUNTIME_JACKSON = "com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.";
  /** For the runtime's own (de)serialisation, in init and on the first event (the function has no mapper to fix). */
  static final String RUNTIME_SERIALIZATION_ADVICE = "This is the Java runtime's bundled Jackson, not a mapper of the "
      + "function's: every RequestHandler pays for it, whatever its types (a Map or a String too), the mapper in init "
      + "and each type's converters on first use. A RequestStreamHandler gets the event as bytes and skips it all (parse "
      + "them with a parser built and primed in init); or register a CustomPojoSerializer (aws-lambda-java-core, found "
      + "by ServiceLoader) backed by the function's own primed serialiser.";
  private static final String SPRING_CTX = "org.springframework.context.annotation.";
  private static final String SPRING_BOOT = "org.springframework.boot.";
  private static final String SDK_ADVICE = "Build the client once in init with everything explicit: the HTTP client "
      + "(UrlConnectionHttpClient or AwsCrtHttpClient) with the unused HTTP client artifacts (apache-client, "
      + "netty-nio-client) excluded from the build, .region(Region.of(System.getenv(\"AWS_REGION\"))) and "
      + "EnvironmentVariableCredentialsProvider.create(); then SnapStart with priming (a call in beforeCheckpoint) "
      + "takes the rest out of the cold start.";

  /** The recognisers; order only breaks ties on one frame. */
  public static final List<Recogniser> ALL = List.of(
      new Recogniser("aws-sdk-client-init", "AWS SDK", List.of(SDK, "com.amazonaws.auth.", "com.amazonaws.client.",
          "com.amazonaws.http.", "com.amazonaws.ClientConfiguration", "com.amazonaws.regions.", "com.amazonaws.services.s3.",
          "com.amazonaws.services.dynamodbv2."),
          List.of(new Component("http-client", List.of(SDK + "http.apache.", SDK + "http.urlconnection.", SDK + "http.nio.netty.",
                  SDK + "http.crt.", SDK + "crt.", "org.apache.http.", "io.netty.", SDK + "core.internal.http.loader.")),
              new Component("credentials", List.of(SDK + "auth.credentials.", SDK + "profiles.", SDK + "auth.")),
              new Component("region", List.of(SDK + "regions.")),
              new Component("endpoint-rules", List.of(SDK + "core.rules.", SDK + "endpoints.", SDK + "core.endpoints.")),
              new Component("service-model", List.of(SDK + "protocols.", SDK + "core.internal.interceptor.",
                  SDK + "core.interceptor.", SDK + "awscore.internal.")),
              new Component("client-builder", List.of(SDK + "core.client.builder.", SDK + "awscore.client.builder."))),
          SDK_ADVICE, "https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/lambda-optimize-starttime.html"),
      new Recogniser("spring-init", "Spring start-up", List.of("org.springframework.", "com.amazonaws.serverless."),
          List.of(new Component("component-scan", List.of(SPRING_CTX + "ClassPathBeanDefinitionScanner",
                  SPRING_CTX + "ClassPathScanningCandidateComponentProvider", SPRING_CTX + "ComponentScanAnnotationParser")),
              new Component("proxies-aop", List.of("org.springframework.aop.", "org.springframework.cglib.", "net.bytebuddy.",
                  SPRING_CTX + "ConfigurationClassEnhancer")),
              // Configuration-class processing: which auto-configurations apply (imports, ordering, conditions) and the
              // bean definitions they register. Their @Bean methods run under bean creation and count there.
              new Component("auto-configuration", List.of(SPRING_CTX + "ConfigurationClassPostProcessor",
                  SPRING_CTX + "ConfigurationClassParser", SPRING_CTX + "ConfigurationClassBeanDefinitionReader",
                  SPRING_CTX + "ConditionEvaluator", SPRING_CTX + "ConfigurationClassUtils",
                  SPRING_BOOT + "autoconfigure.AutoConfiguration", SPRING_BOOT + "autoconfigure.ImportAutoConfigurationImportSelector",
                  SPRING_BOOT + "autoconfigure.SharedMetadataReaderFactoryContextInitializer",
                  SPRING_BOOT + "autoconfigure.condition.", SPRING_BOOT + "context.annotation.")),
              new Component("environment-config", List.of(SPRING_BOOT + "context.config.", SPRING_BOOT + "env.",
                  SPRING_BOOT + "context.properties.", SPRING_BOOT + "SpringApplication.prepareEnvironment")),
              new Component("logging-system", List.of(SPRING_BOOT + "logging.", SPRING_BOOT + "context.logging.")),
              new Component("spring-factories", List.of("org.springframework.core.io.support.SpringFactoriesLoader")),
              new Component("bean-creation", List.of("org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.",
                  "org.springframework.beans.factory.support.ConstructorResolver")),
              // Helpers of all the above: class metadata read with ASM, resource patterns, annotations, properties.
              new Component("class-metadata", List.of("org.springframework.core.type.classreading.", "org.springframework.asm.",
                  "org.springframework.core.io.support.PathMatchingResourcePatternResolver", "org.springframework.core.annotation.",
                  "org.springframework.core.type."), true),
              new Component("environment-config", List.of("org.springframework.core.env."), true)),
          "Exclude the auto-configurations the function does not use (spring.autoconfigure.exclude or "
              + "@SpringBootApplication(exclude=...)), set spring.main.lazy-initialization=true where the first request "
              + "tolerates it, build with Spring AOT, and use SnapStart with priming.",
          "https://docs.spring.io/spring-boot/reference/packaging/aot.html"),
      new Recogniser("di-init", "Dependency injection / classpath scanning", List.of("com.google.inject.", "dagger.",
          "io.micronaut.context.", "io.micronaut.inject.", "io.github.classgraph.", "org.reflections."),
          List.of(new Component("classpath-scan", List.of("io.github.classgraph.", "org.reflections.", "io.micronaut.core.io.scan.")),
              new Component("injector", List.of("com.google.inject.", "dagger.", "io.micronaut."))),
          "Avoid runtime classpath scanning and reflection-driven injection: compile-time DI (Dagger, Micronaut), an "
              + "explicit module list, or SnapStart with priming.",
          "https://github.com/aws-samples/serverless-java-frameworks-samples"),
      new Recogniser("jackson-init", "Jackson set-up", List.of("com.fasterxml.jackson."),
          List.of(new Component("serializer-building", List.of("com.fasterxml.jackson.databind.ser.")),
              new Component("deserializer-building", List.of("com.fasterxml.jackson.databind.deser.")),
              new Component("introspection", List.of("com.fasterxml.jackson.databind.introspect.")),
              new Component("mapper-construction", List.of("com.fasterxml.jackson.databind.ObjectMapper.<init>",
                  "com.fasterxml.jackson.databind.ObjectMapper.registerModule", "com.fasterxml.jackson.databind.ObjectMapper.findAndRegisterModules",
                  "com.fasterxml.jackson.databind.cfg.", "com.fasterxml.jackson.module.", "com.fasterxml.jackson.datatype."))),
          "Create one ObjectMapper in init and reuse it; register only the modules used; build the (de)serialisers "
              + "in init by serialising a sample object (priming), or use jackson-jr / a RequestStreamHandler.",
          "https://github.com/aws/aws-sdk-java-v2/issues/6"),
      // The Java runtime's own Jackson (shaded by aws-lambda-java-serialization), converting the event to the handler's
      // input type and the result back: no mapper of the function's, so Jackson's advice would be wrong for it.
      new Recogniser("runtime-serialization", "Lambda runtime's event (de)serialisation", List.of(RUNTIME_JACKSON,
          "com.amazonaws.lambda.thirdparty.", "com.amazonaws.services.lambda.runtime.serialization."),
          List.of(new Component("serializer-building", List.of(RUNTIME_JACKSON + "databind.ser.")),
              new Component("deserializer-building", List.of(RUNTIME_JACKSON + "databind.deser.")),
              new Component("introspection", List.of(RUNTIME_JACKSON + "databind.introspect.")),
              new Component("mapper-construction", List.of(RUNTIME_JACKSON + "databind.ObjectMapper.<init>", RUNTIME_JACKSON + "databind.cfg.",
                  "com.amazonaws.services.lambda.runtime.serialization.factories."))),
          RUNTIME_SERIALIZATION_ADVICE, "https://docs.aws.amazon.com/lambda/latest/dg/java-handler.html"),
      new Recogniser("logging-init", "Logging framework bootstrap", List.of("org.apache.logging.log4j.", "ch.qos.logback.",
          "org.slf4j.", "org.apache.logging.slf4j."),
          List.of(new Component("appenders", List.of("org.apache.logging.log4j.core.appender.", "org.apache.logging.log4j.core.layout.",
                  "ch.qos.logback.core.OutputStreamAppender", "ch.qos.logback.core.ConsoleAppender", "ch.qos.logback.core.rolling.",
                  "ch.qos.logback.core.encoder.", "ch.qos.logback.classic.encoder.")),
              new Component("configuration", List.of("org.apache.logging.log4j.core.config.", "org.apache.logging.log4j.core.LoggerContext",
                  "org.apache.logging.log4j.core.impl.Log4jContextFactory", "org.apache.logging.log4j.util.PropertiesUtil",
                  "ch.qos.logback.classic.util.ContextInitializer", "ch.qos.logback.core.joran.", "ch.qos.logback.classic.joran.",
                  "org.slf4j.LoggerFactory"))),
          "Use a lighter logging set-up: one console appender, no plugin package scanning (log4j2 packages attribute, "
              + "Log4j2Plugins.dat), no JSON layout built by reflection, or slf4j-simple.",
          "https://github.com/aws-powertools/powertools-lambda-java/issues/121"),
      new Recogniser("tls-init", "TLS / crypto set-up", List.of("sun.security.ssl.", "java.security.KeyStore.load",
          "javax.net.ssl.SSLContext.", "sun.security.provider.SeedGenerator", "java.security.SecureRandom.<init>"),
          List.of(),
          "Create TLS contexts and connections once, in init or a SnapStart beforeCheckpoint hook (priming), or use the "
              + "AWS CRT HTTP client.",
          "https://aws.amazon.com/blogs/compute/optimizing-cold-start-performance-of-aws-lambda-using-advanced-priming-strategies-with-snapstart/"),
      new Recogniser("agent-init", "Java agent start-up", List.of("sun.instrument.", "java.lang.instrument.",
          "io.opentelemetry.javaagent.", "datadog.trace.", "com.datadog.", "com.amazonaws.xray."),
          List.of(),
          "Measure the agent's share of the cold start separately; enable its fast-startup options or drop it.",
          "https://github.com/open-telemetry/opentelemetry-lambda/pull/1180"));
}
