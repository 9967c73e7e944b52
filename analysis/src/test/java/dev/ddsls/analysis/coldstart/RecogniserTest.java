package dev.ddsls.analysis.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.findings.Finding;
import dev.ddsls.analysis.pprof.FrameStat;
import dev.ddsls.analysis.pprof.OwnCode;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import dev.ddsls.analysis.stats.Percentiles;
import dev.ddsls.analysis.trace.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Library recognisers break cost down; findings nest and add up; the cold-invocation penalty is relative. */
class RecogniserTest {
  static final long MS = 1_000_000;
  static final String HANDLER = "com.example.Handler.<clinit>";
  static final List<String> BASE = List.of(HANDLER, "java.lang.Class.forName0",
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main");
  static final String DDB_BUILD = "software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClientBuilder.buildClient";
  static final String S3_BUILD = "software.amazon.awssdk.services.s3.DefaultS3ClientBuilder.buildClient";

  static List<String> stack(String... leafSide) {
    List<String> s = new ArrayList<>(List.of(leafSide));
    s.addAll(BASE);
    return s;
  }

  static ProfileSample sample(List<String> stack, long ms, String phase, long root) {
    return new ProfileSample(stack, new long[stack.size()], new long[] {Math.max(1, ms / 10), ms * MS},
        Map.of(InitBreakdown.PHASE, phase, "thread name", "main"), Map.of("local root span id", root));
  }

  static ProfileInput cpu(List<ProfileSample> samples) {
    Profile p = new Profile(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
        new ValueType("cpu", "nanoseconds"), 10 * MS, 0, 0, List.of(), samples);
    return new ProfileInput("p1", p);
  }

  /** 30 samples of each kind, so confidence can be high. */
  static List<ProfileSample> repeat(List<String> stack, long totalMs, int n) {
    List<ProfileSample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(sample(stack, totalMs / n, "init", 7));
    return out;
  }

  static InitAnalysis sdkInit() {
    List<ProfileSample> s = new ArrayList<>();
    s.addAll(repeat(stack("org.apache.http.impl.conn.PoolingHttpClientConnectionManager.<init>",
        "software.amazon.awssdk.http.apache.ApacheHttpClient$DefaultBuilder.build", DDB_BUILD), 120, 30));
    s.addAll(repeat(stack("software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.create", DDB_BUILD), 60, 30));
    s.addAll(repeat(stack("software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain.getRegion", S3_BUILD), 40, 20));
    s.addAll(repeat(stack("com.example.Rules.build"), 60, 20));
    s.add(sample(stack("pthread_mutex_lock@@GLIBC_2.2.5"), 10, "init", 7));
    s.add(sample(stack("ClassFileParser::parse_stream", "SystemDictionary::resolve_from_stream"), 20, "init", 7));
    return InitAnalysis.of(List.of(cpu(s)), 10, OwnCode.ofHandler("com.example.Handler"));
  }

  @Test
  void sdkBreakdownPerClientAndComponentWithOnlyMatchedFrames() {
    InitAnalysis a = sdkInit();
    Recogniser.Tally t = a.libraries().get("aws-sdk-client-init");
    assertNotNull(t);
    assertEquals(220, t.ms(), 1e-6);
    assertEquals(120, t.componentsMs().get("http-client"), 1e-6);
    assertEquals(60, t.componentsMs().get("credentials"), 1e-6);
    assertEquals(40, t.componentsMs().get("region"), 1e-6);
    assertEquals(180, t.clientsMs().get("dynamodb"), 1e-6);
    assertEquals(40, t.clientsMs().get("s3"), 1e-6);
    double sum = t.componentsMs().values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(t.ms(), sum, 1e-6, "components partition the library's time");
    assertEquals(Map.of("class-loading", 20.0, "other-jvm", 10.0), a.jvmActivitiesMs());

    List<Finding> fs = InitFindings.of(Percentiles.of(List.of(400.0)), Percentiles.of(List.of()), null, null, a, List.of("7"));
    Finding sdk = byId(fs, "aws-sdk-client-init");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> frames = (List<Map<String, Object>>) sdk.evidence().get("matchedFrames");
    List<Object> names = frames.stream().map(m -> m.get("frame")).toList();
    assertEquals(List.of("org.apache.http.impl.conn.PoolingHttpClientConnectionManager.<init>",
        "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.create",
        "software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain.getRegion"), names);
    assertFalse(sdk.evidence().containsKey("matchedFramePrefixes"));
    assertEquals("high", sdk.evidence().get("confidence"));
    assertTrue(sdk.evidence().get("clients").toString().contains("dynamodb"));
    assertTrue(sdk.evidence().get("calledFrom").toString().contains(HANDLER));
    assertTrue(sdk.advice().contains("UrlConnectionHttpClient") && sdk.advice().contains("EnvironmentVariableCredentialsProvider"));
    assertFalse(sdk.advice().toLowerCase(Locale.ROOT).contains("lazi"));

    // nested in the hotspot (all its samples are charged to the handler's <clinit>): no double count
    Finding hot = byId(fs, "init-cpu-hotspot");
    assertEquals(HANDLER, hot.evidence().get("frame"));
    assertTrue(hot.title().contains("of which AWS SDK 220 ms"), hot.title());
    assertTrue(hot.evidence().get("includes").toString().contains("aws-sdk-client-init"));
    assertEquals("init-cpu-hotspot", sdk.evidence().get("partOf"));
    assertEquals(0, sdk.impactMs(), 1e-6);
    assertFalse(hot.advice().contains("lazily"));
    double atStake = fs.stream().mapToDouble(Finding::impactMs).sum();
    assertTrue(atStake <= 400, "time at stake " + atStake + " exceeds init");
  }

  @Test
  void nativeFramesAreNotOwnCodeNorAPackage() {
    InitAnalysis a = sdkInit();
    for (Share s : a.userFrames()) assertTrue(s.frame().startsWith("com.example."), s.frame());
    for (FrameStat f : a.breakdown().ownFrames()) assertTrue(f.frame().startsWith("com.example."), f.frame());
    for (FrameStat p : a.breakdown().packages()) {
      assertFalse(p.frame().equals("(native)") || p.frame().contains("GLIBC"), p.frame());
    }
    assertTrue(a.breakdown().packages().stream().anyMatch(p -> p.frame().equals("jvm:class-loading")));
  }

  @Test
  void springComponents() {
    String refresh = "org.springframework.context.support.AbstractApplicationContext.refresh";
    String run = "org.springframework.boot.SpringApplication.run";
    List<ProfileSample> s = new ArrayList<>();
    s.addAll(repeat(stack("org.springframework.boot.autoconfigure.condition.OnClassCondition.getOutcomes",
        "org.springframework.context.annotation.ConfigurationClassPostProcessor.processConfigBeanDefinitions", refresh, run), 232, 29));
    s.addAll(repeat(stack("org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.doCreateBean",
        "org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean", refresh, run), 166, 83));
    s.addAll(repeat(stack("org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider.scanCandidateComponents",
        "org.springframework.context.annotation.ConfigurationClassParser.parse", refresh, run), 2, 1));
    InitAnalysis a = InitAnalysis.of(List.of(cpu(s)), 10, OwnCode.ofHandler("com.example.Handler"));
    Recogniser.Tally t = a.libraries().get("spring-init");
    assertEquals(232, t.componentsMs().get("auto-configuration"), 1e-6);
    assertEquals(166, t.componentsMs().get("bean-creation"), 1e-6);
    assertEquals(2, t.componentsMs().get("component-scan"), 1e-6);
    List<Finding> fs = InitFindings.of(Percentiles.of(List.of(500.0)), Percentiles.of(List.of()), null, null, a, List.of("7"));
    Finding spring = byId(fs, "spring-init");
    assertTrue(spring.title().contains("auto-configuration 232 ms"), spring.title());
    assertFalse(fs.stream().anyMatch(f -> f.id().equals("di-classpath-scan")));
    assertTrue(spring.advice().contains("lazy-initialization") && spring.advice().contains("AOT"));
  }

  /** Class metadata read with ASM is the work of whoever reads it: scanning, or auto-configuration's parsing. */
  @Test
  void springMetadataReadingBelongsToItsCaller() {
    String read = "org.springframework.core.type.classreading.SimpleMetadataReader.<init>";
    String asm = "org.springframework.asm.ClassReader.accept";
    String parse = "org.springframework.context.annotation.ConfigurationClassParser.processImports";
    assertEquals("auto-configuration", springComponent(asm, read,
        "org.springframework.boot.autoconfigure.AutoConfigurationSorter.getInPriorityOrder", parse));
    assertEquals("auto-configuration", springComponent(asm, read, parse));
    assertEquals("component-scan", springComponent(asm, read,
        "org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider.scanCandidateComponents", parse));
    assertEquals("component-scan", springComponent("org.springframework.core.io.support.PathMatchingResourcePatternResolver.getResources",
        "org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider.findCandidateComponents", parse));
    assertEquals("class-metadata", springComponent(asm, read, "org.springframework.boot.SpringApplication.run"));
    // An auto-configuration's @Bean method runs when the bean is created: bean creation, not configuration processing.
    assertEquals("bean-creation", springComponent(
        "org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration$DispatcherServletConfiguration.dispatcherServlet",
        "org.springframework.beans.factory.support.SimpleInstantiationStrategy.instantiate",
        "org.springframework.beans.factory.support.ConstructorResolver.instantiateUsingFactoryMethod",
        "org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean"));
    assertEquals("environment-config", springComponent("org.springframework.core.env.PropertySourcesPropertyResolver.getProperty",
        "org.springframework.boot.SpringApplication.prepareEnvironment"));
    assertEquals("auto-configuration", springComponent("org.springframework.core.env.PropertySourcesPropertyResolver.getProperty",
        "org.springframework.boot.autoconfigure.condition.OnPropertyCondition.getMatchOutcome"));
  }

  static String springComponent(String... leafSide) {
    Map.Entry<Recogniser, Recogniser.Match> m = Recogniser.recognise(stack(leafSide));
    assertEquals("spring-init", m.getKey().id());
    return m.getValue().component();
  }

  @Test
  void smallPenaltyManyTimesWarmFiresAndNamesTheFrame() {
    long cold = 11, warm = 12;
    List<ProfileSample> s = new ArrayList<>();
    s.add(sample(stack("com.example.Rules.build"), 300, "init", cold));
    s.add(sample(List.of("com.example.Handler.lookup", "com.example.Handler.handleRequest"), 200, "invocation", cold));
    s.add(sample(List.of("com.example.Handler.respond", "com.example.Handler.handleRequest"), 10, "invocation", cold));
    s.add(sample(List.of("com.example.Handler.respond", "com.example.Handler.handleRequest"), 10, "invocation", warm));
    List<ProfileInput> profiles = List.of(cpu(s));
    List<Span> spans = new ArrayList<>();
    spans.add(span(cold, true, 247 + 15.4));
    for (int i = 0; i < 9; i++) spans.add(span(warm + i, false, 15.4));
    ColdStartReport r = ColdStartAnalyzer.analyze("f", "f", spans, List.of(), profiles, "com.example.Handler::handleRequest");
    Finding p = byId(r.findings(), "cold-invocation-penalty");
    assertEquals(247, (Double) p.evidence().get("penaltyMs"), 0.1);
    assertTrue(p.evidence().get("frames").toString().contains("com.example.Handler.lookup"), p.evidence().toString());
    assertTrue(p.title().contains("com.example.Handler.lookup"), p.title());
    assertEquals("first-invocation", p.evidence().get("phase"));
  }

  /**
   * The first request builds the logging configuration and the ObjectMapper: the title names both libraries and the
   * frames that built them, the advice says how to build each in init, and the first invocation's thread is split
   * into CPU and waiting for a CPU.
   */
  @Test
  void penaltyNamesTheLibrariesBuiltOnFirstUseAndItsWaitForACpu() {
    Finding p = firstUsePenalty(Map.of());
    assertTrue(p.title().contains("Logging framework bootstrap 300 ms in com.example.Handler.logger"), p.title());
    assertTrue(p.title().contains("Jackson set-up 200 ms in com.example.Handler.mapper and com.example.Handler.handleRequest"),
        p.title());
    assertTrue(p.title().contains("Logging framework bootstrap 300 ms in com.example.Handler.logger,"), p.title());
    assertTrue(p.title().contains("390 ms of it waiting for a CPU"), p.title());
    assertTrue(p.advice().contains("static field") && p.advice().contains("ObjectMapper") && p.advice().contains("getLogger"),
        p.advice());
    assertFalse(p.advice().toLowerCase(Locale.ROOT).contains("lazy"), p.advice());
    // No memory size nor cgroup counters: who took the CPU is not known, so more memory is not simply advised.
    assertTrue(p.advice().contains("390 ms of the first invocation waits for a CPU (runnable, not running): the memory size's "
        + "CPU share or other work on this host"), p.advice());
    @SuppressWarnings("unchecked")
    Map<String, Object> split = (Map<String, Object>) p.evidence().get("wallSplit");
    assertEquals(510.0, (Double) split.get("onCpuMs"), 0.1);
    assertEquals(390.0, (Double) split.get("runnableMs"), 0.1);
    assertEquals(50.0, (Double) split.get("blockedMs"), 0.1);
    assertEquals(Map.of("file-io", 50.0), split.get("blockedByKind"));
    assertEquals(510.0, (Double) p.evidence().get("cpuMs"), 0.1);
    assertEquals(10.0, (Double) p.evidence().get("warmCpuMs"), 0.1);
  }

  /** Who took the CPU decides the advice: the memory size's share (throttled), or other work on the host (not). */
  @Test
  void penaltyWaitingForACpuAdvisesMemoryOnlyWhenTheShareTookIt() {
    String share = firstUsePenalty(Map.of("ddsls.init.cgroup_throttled_ms", 35.0)).advice();
    assertTrue(share.contains("a larger memory size shortens that part"), share);
    Finding host = firstUsePenalty(Map.of("ddsls.init.cgroup_throttled_ms", 0.0));
    assertTrue(host.title().endsWith("390 ms of it waiting for a CPU that other work on this host took"), host.title());
    assertTrue(host.advice().contains("measure on a quiet machine") && !host.advice().contains("larger memory"), host.advice());
    assertEquals("host-contention", host.evidence().get("cpuWaitCause"));
    // The function's own penalty leaves out the host's share: 960 ms measured, 390 of them waiting for the host.
    assertEquals(390.0, (Double) host.evidence().get("hostContendedMs"), 0.1);
    assertEquals(570.0, host.impactMs(), 0.1);
    assertEquals(960.0, firstUsePenalty(Map.of("ddsls.init.cgroup_throttled_ms", 35.0)).impactMs(), 0.1);
  }

  /** The first request builds the logging configuration and the ObjectMapper; the cold span has {@code coldMetrics}. */
  static Finding firstUsePenalty(Map<String, Double> coldMetrics) {
    long cold = 21, warm = 22;
    List<String> respond = List.of("com.example.Handler.respond", "com.example.Handler.handleRequest");
    List<ProfileSample> s = new ArrayList<>();
    s.add(sample(List.of("org.apache.logging.log4j.core.config.xml.XmlConfiguration.<init>",
        "org.apache.logging.log4j.core.LoggerContext.start", "org.apache.logging.log4j.LogManager.getLogger",
        "com.example.Handler.logger", "com.example.Handler.handleRequest"), 300, "invocation", cold));
    s.add(sample(List.of("com.fasterxml.jackson.databind.ObjectMapper.<init>", "com.example.Handler.mapper",
        "com.example.Handler.handleRequest"), 150, "invocation", cold));
    s.add(sample(List.of("com.fasterxml.jackson.databind.ser.BeanSerializerFactory.createSerializer",
        "com.fasterxml.jackson.databind.ObjectMapper.writeValueAsBytes", "com.example.Handler.handleRequest"), 50, "invocation", cold));
    s.add(sample(respond, 10, "invocation", cold));
    for (int i = 0; i < 9; i++) s.add(sample(respond, 10, "invocation", warm + i));
    // The invoking thread's wall: 900 ms running (510 of it on a CPU), 50 ms blocked in a file read.
    List<ProfileSample> wall = new ArrayList<>();
    wall.add(wallSample(respond, 900, "running", cold));
    wall.add(wallSample(List.of("java.io.FileInputStream.readBytes", "com.example.Handler.handleRequest"), 50, "sleeping", cold));
    // an idle thread sampled as long: not the one that ran the request
    wall.add(new ProfileSample(List.of("java.lang.Object.wait"), new long[1], new long[] {1, 950 * MS},
        Map.of(InitBreakdown.PHASE, "invocation", "thread name", "idle", ThreadState.LABEL, "sleeping"), Map.of("local root span id", cold)));
    List<Span> spans = new ArrayList<>();
    Span coldSpan = span(cold, true, 960 + 12);
    Map<String, Double> metrics = new HashMap<>(coldSpan.metrics());
    metrics.putAll(coldMetrics);
    spans.add(new Span(1, cold, 0, Span.INVOCATION, "f", "f", "serverless", 0, coldSpan.duration(), 0, coldSpan.meta(), metrics));
    for (int i = 0; i < 9; i++) spans.add(span(warm + i, false, 12));
    ColdStartReport r = ColdStartAnalyzer.analyze("f", "f", spans, List.of(), List.of(cpu(s), wallProfile(wall)),
        "com.example.Handler::handleRequest");
    return byId(r.findings(), "cold-invocation-penalty");
  }

  static ProfileSample wallSample(List<String> stack, long ms, String state, long root) {
    return new ProfileSample(stack, new long[stack.size()], new long[] {1, ms * MS},
        Map.of(InitBreakdown.PHASE, "invocation", "thread name", "main", ThreadState.LABEL, state), Map.of("local root span id", root));
  }

  static ProfileInput wallProfile(List<ProfileSample> samples) {
    Profile p = new Profile(List.of(new ValueType("samples", "count"), new ValueType("wall", "nanoseconds")),
        new ValueType("wall", "nanoseconds"), 10 * MS, 0, 0, List.of(), samples);
    return new ProfileInput("w1", p);
  }

  @Test
  void theRuntimesOwnJacksonIsTheRuntimesSerialisationWithAdviceForIt() {
    Map.Entry<Recogniser, Recogniser.Match> r = Recogniser.recognise(stack(
        "com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.databind.deser.BeanDeserializerFactory.createBeanDeserializer",
        "com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory$InternalSerializer.fromJson",
        "com.amazonaws.services.lambda.runtime.api.client.EventHandlerLoader$PojoHandlerAsStreamHandler.handleRequest"));
    assertEquals("runtime-serialization", r.getKey().id());
    assertEquals("deserializer-building", r.getValue().component());
    // No mapper of the function's to build once: the advice is the handler's type, never Jackson's.
    assertTrue(r.getKey().advice().contains("RequestStreamHandler"), r.getKey().advice());
    assertFalse(r.getKey().advice().contains("ObjectMapper"), r.getKey().advice());
    assertEquals("runtime-serialization", Recogniser.recognise(stack(
        "com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory.getInstance")).getKey().id());
    assertEquals("jackson-init", Recogniser.recognise(stack("com.fasterxml.jackson.databind.ObjectMapper.<init>",
        "example.invoice.InvoiceHandler.mapper")).getKey().id());
  }

  @Test
  void jacksonLoggingAndDiComponents() {
    Recogniser.Match m = Recogniser.recognise(stack("com.fasterxml.jackson.databind.cfg.MapperConfig.<init>",
        "com.fasterxml.jackson.databind.ObjectMapper.<init>")).getValue();
    assertEquals("mapper-construction", m.component());
    assertEquals("com.fasterxml.jackson.databind.cfg.MapperConfig.<init>", m.frame());
    assertEquals("serializer-building", Recogniser.recognise(stack("com.fasterxml.jackson.databind.ser.BeanSerializerFactory.createSerializer",
        "com.fasterxml.jackson.databind.ObjectMapper.writeValueAsString")).getValue().component());
    assertEquals("appenders", Recogniser.recognise(stack("org.apache.logging.log4j.core.appender.ConsoleAppender.createDefaultAppenderForLayout",
        "org.apache.logging.log4j.core.config.AbstractConfiguration.start")).getValue().component());
    assertEquals("configuration", Recogniser.recognise(stack("org.apache.logging.log4j.core.config.plugins.util.PluginRegistry.loadFromPackage",
        "org.apache.logging.log4j.core.LoggerContext.start")).getValue().component());
    assertEquals("di-init", Recogniser.recognise(stack("io.github.classgraph.Scanner.call")).getKey().id());
    // a Jackson frame under Spring belongs to Jackson: the innermost recognised frame decides, so they add up
    assertEquals("jackson-init", Recogniser.recognise(stack("com.fasterxml.jackson.databind.ObjectMapper.<init>",
        "org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean")).getKey().id());
    assertEquals(null, Recogniser.recognise(stack("com.example.Rules.build")));
  }

  @Test
  void penaltyRules() {
    // 3x warm and 100 ms: neither 250 ms nor 5x
    assertFalse(penalty(400, 150, 50).isPresent());
    // 60 ms but 7x warm: fires, low share of a 400 ms init cold request
    assertEquals(Finding.Severity.LOW, penalty(400, 70, 10).orElseThrow().severity());
    // exceeds init itself: high
    assertEquals(Finding.Severity.HIGH, penalty(200, 310, 10).orElseThrow().severity());
  }

  static Optional<Finding> penalty(double init, double first, double warm) {
    return InitFindings.of(Percentiles.of(List.of(init)), Percentiles.of(List.of(first)), warm, first - warm, null, List.of("1"))
        .stream().filter(f -> f.id().equals("cold-invocation-penalty")).findFirst();
  }

  static Span span(long id, boolean cold, double durationMs) {
    Map<String, String> meta = cold ? Map.of("cold_start", "true") : Map.of("cold_start", "false");
    Map<String, Double> metrics = cold ? Map.of("ddsls.init.duration_ms", 400.0) : Map.of();
    return new Span(1, id, 0, Span.INVOCATION, "f", "f", "serverless", 0, (long) (durationMs * 1e6), 0, meta, metrics);
  }

  static Finding byId(List<Finding> fs, String id) {
    return fs.stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id + " not in " + fs));
  }
}
