package dev.ddsls.agent;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The agent's settings, read from environment variables and from {@code -D} system properties of the same
 * meaning ({@code DD_SERVICE} or {@code -Ddd.service}). A system property wins over the environment.
 * A bad value is logged in one line and the default is used.
 */
public final class AgentConfig {
  /**
   * A random version-4 UUID per JVM, as Datadog's tracers make theirs. ThreadLocalRandom rather than
   * UUID.randomUUID(): SecureRandom's provider set-up costs cold-start time, and this id needs uniqueness, not secrecy.
   */
  public static final String RUNTIME_ID = newRuntimeId();
  private volatile String runtimeId = RUNTIME_ID;
  enum Engine { AUTO, ASYNC, JFR }
  enum Wall { INIT, ALWAYS, OFF }

  final boolean profilingEnabled;
  final boolean ignoreProfiler;
  final String service;
  final String env;
  final String version;
  final Map<String, String> tags;
  final String agentUrl;
  final String apiKey;
  final String site;
  final long uploadPeriodMillis;
  final boolean traceEnabled;
  final Engine engine;
  final long intervalNanos;
  /** The sampling interval of init and the cold invocation (DDSLS_PROFILING_INIT_INTERVAL), at most {@link #intervalNanos}. */
  final long initIntervalNanos;
  /** 5 ms: twice the samples of the steady 10 ms where a cold start has only tens of them, for about 3.5% of a CPU-bound init; 2 ms cost 5.6% (docs/benchmarks.md). */
  static final long DEFAULT_INIT_INTERVAL_NANOS = 5_000_000L;
  final Wall wall;
  final String outputDir;
  final long flushBudgetMillis;
  /** A flush whose sending took longer than this opens the circuit breaker, as a failed one does (DDSLS_FLUSH_SLOW_MS). */
  final long flushSlowMillis;
  /**
   * The profile event's {@code family} (DDSLS_PROFILE_FAMILY): {@code java} by default, as every Java uploader Datadog
   * ships sends; those send JFR, so whether the intake parses a Java pprof under it is not published (docs/formats.md).
   */
  final String profileFamily;
  /**
   * Spans are sent at the end of an invocation when this long has passed since they were last sent (0: after every
   * invocation), else held for a later one or shutdown: sparse traffic is flushed per invocation, busy traffic in
   * batches, and a warm invocation does not wait for a flush that is not due. Datadog's extension's
   * {@code DD_SERVERLESS_FLUSH_STRATEGY} ({@code end}, {@code periodically,MS}, {@code end,MS}) sets it.
   */
  final long spanFlushPeriodMillis;
  final String functionName;
  /** AWS_LAMBDA_FUNCTION_MEMORY_SIZE (MB), or null: tagged on spans and profiles, as the CPU share follows from it. */
  final String memorySizeMb;
  /** Lambda's {@code _HANDLER} ({@code pkg.Class::method}): tagged on cold spans so diagnose knows the function's package. */
  final String handler;
  /** {@code AWS_LAMBDA_INITIALIZATION_TYPE}: {@code on-demand}, {@code provisioned-concurrency}, {@code snap-start}; null outside Lambda. */
  final String initializationType;
  final String runtimeApiUpstream;
  final int proxyPort;
  final boolean debug;

  private final Map<String, String> env0;
  private final Map<String, String> props;

  AgentConfig(Map<String, String> environment, Map<String, String> systemProperties) {
    this.env0 = environment;
    this.props = systemProperties;
    profilingEnabled = bool("DD_PROFILING_ENABLED", false);
    ignoreProfiler = bool("DD_PROFILING_IGNORE_PROFILER", false);
    functionName = raw("AWS_LAMBDA_FUNCTION_NAME");
    String memory = raw("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    memorySizeMb = isDigits(memory) ? memory : null;
    handler = raw("_HANDLER");
    String s = raw("DD_SERVICE");
    service = s != null ? s : functionName != null ? functionName.toLowerCase(Locale.ROOT) : "unnamed-java-function";
    env = raw("DD_ENV");
    version = raw("DD_VERSION");
    tags = parseTags(raw("DD_TAGS"));
    agentUrl = resolveAgentUrl();
    apiKey = raw("DD_API_KEY");
    String site0 = raw("DD_SITE");
    site = site0 == null ? "datadoghq.com" : site0;
    uploadPeriodMillis = positiveLong("DD_PROFILING_UPLOAD_PERIOD", 60, 1, 3600) * 1000L;
    // DDSLS_TRACE_ENABLED first: beside Datadog's tracer and extension (which make the aws.lambda span), ddsls' spans
    // are turned off without turning off Datadog's tracer, which reads DD_TRACE_ENABLED too.
    traceEnabled = bool("DDSLS_TRACE_ENABLED", bool("DD_TRACE_ENABLED", true));
    engine = choice("DDSLS_PROFILING_ENGINE", Engine.class, Engine.AUTO);
    intervalNanos = duration("DDSLS_PROFILING_INTERVAL", 10_000_000L, 100_000L, 1_000_000_000L);
    initIntervalNanos = Math.min(intervalNanos, duration("DDSLS_PROFILING_INIT_INTERVAL", DEFAULT_INIT_INTERVAL_NANOS, 100_000L, 1_000_000_000L));
    wall = choice("DDSLS_PROFILING_WALL", Wall.class, Wall.INIT);
    outputDir = raw("DDSLS_OUTPUT_DIR");
    flushBudgetMillis = positiveLong("DDSLS_FLUSH_BUDGET_MS", 1000, 10, 60_000);
    flushSlowMillis = positiveLong("DDSLS_FLUSH_SLOW_MS", 250, 1, 60_000);
    String family = raw("DDSLS_PROFILE_FAMILY");
    profileFamily = family != null && family.matches("[a-z]{1,16}") ? family : "java";
    spanFlushPeriodMillis = flushStrategy(raw("DD_SERVERLESS_FLUSH_STRATEGY"));
    initializationType = raw("AWS_LAMBDA_INITIALIZATION_TYPE");
    runtimeApiUpstream = raw("DDSLS_RUNTIME_API_UPSTREAM");
    proxyPort = (int) positiveLong("DDSLS_PROXY_PORT", 9011, 1, 65535);
    debug = bool("DDSLS_DEBUG", false);
  }

  static AgentConfig fromEnvironment() {
    Map<String, String> props = new LinkedHashMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("dd.") || name.startsWith("ddsls.")) props.put(name, System.getProperty(name));
    }
    return new AgentConfig(System.getenv(), props);
  }

  // What the trace and upload packages read; the rest is the root package's.
  public String service() { return service; }

  public String profileFamily() { return profileFamily; }

  /** This runtime's id: {@link #RUNTIME_ID}, or after a SnapStart restore this copy's own ({@link #renewRuntimeId}). */
  public String runtimeId() { return runtimeId; }

  /**
   * SnapStart: every restored copy starts with the snapshot's runtime id; each gets its own, from two random numbers
   * drawn after the restore (a ThreadLocalRandom's state is in the snapshot too).
   */
  void renewRuntimeId(long random1, long random2) { runtimeId = uuid(random1, random2); }

  private static String newRuntimeId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return uuid(r.nextLong(), r.nextLong());
  }

  private static String uuid(long a, long b) {
    long hi = (a & ~0xF000L) | 0x4000L;                       // version 4
    long lo = (b & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(hi, lo).toString();
  }

  public String env() { return env; }

  public String version() { return version; }

  public Map<String, String> tags() { return tags; }

  public String agentUrl() { return agentUrl; }

  public String apiKey() { return apiKey; }

  public boolean traceEnabled() { return traceEnabled; }

  public String outputDir() { return outputDir; }

  public String functionName() { return functionName; }

  public String memorySizeMb() { return memorySizeMb; }

  public String handler() { return handler; }

  public String initializationType() { return initializationType; }

  /** The value of an environment variable, or of its system property ({@code DD_FOO_BAR} = {@code dd.foo.bar}); blank is absent. */
  public String raw(String name) {
    String prop = props.get(name.toLowerCase(Locale.ROOT).replace('_', '.'));
    String v = prop != null ? prop : env0.get(name);
    if (v == null) return null;
    v = v.trim();
    return v.isEmpty() ? null : v;
  }

  /** The Datadog site's profile intake, for agentless upload with {@code DD_API_KEY}. */
  public String agentlessProfileUrl() { return "https://intake.profile." + site + "/api/v2/profile"; }

  /**
   * Agentless upload: an API key, no agent address, and no Datadog Lambda Extension in the function (which also
   * needs DD_API_KEY, and which the agent must use when present, as dd-trace-java does).
   */
  public boolean agentless() {
    return apiKey != null && raw("DD_TRACE_AGENT_URL") == null && raw("DD_AGENT_HOST") == null
        && !new File("/opt/extensions/datadog-agent").exists();
  }

  private String resolveAgentUrl() {
    String url = raw("DD_TRACE_AGENT_URL");
    if (url != null) {
      if (url.startsWith("http://") || url.startsWith("https://")) return stripSlash(url);
      AgentLog.info("DD_TRACE_AGENT_URL='" + url + "' is not an http(s) URL; using http://127.0.0.1:8126");
    }
    String host = raw("DD_AGENT_HOST");
    String port = raw("DD_TRACE_AGENT_PORT");
    int p = 8126;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
        if (p < 1 || p > 65535) throw new NumberFormatException();
      } catch (NumberFormatException e) {
        AgentLog.info("DD_TRACE_AGENT_PORT='" + port + "' is not a port number; using 8126");
        p = 8126;
      }
    }
    return "http://" + (host == null ? "127.0.0.1" : host) + ":" + p;
  }

  private static String stripSlash(String s) { return s.endsWith("/") ? s.substring(0, s.length() - 1) : s; }

  private boolean bool(String name, boolean dflt) {
    String v = raw(name);
    if (v == null) return dflt;
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true": case "1": case "yes": case "on": return true;
      case "false": case "0": case "no": case "off": return false;
      default:
        AgentLog.info(name + "='" + v + "' is not true or false; using " + dflt);
        return dflt;
    }
  }

  static final long DEFAULT_SPAN_FLUSH_PERIOD_MILLIS = 10_000;

  /** {@code end} -> 0; {@code periodically,MS} and {@code end,MS} -> MS; unset or unreadable -> the default (logged). */
  static long flushStrategy(String v) {
    if (v == null) return DEFAULT_SPAN_FLUSH_PERIOD_MILLIS;
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.equals("end")) return 0;
    int comma = s.indexOf(',');
    String kind = comma < 0 ? s : s.substring(0, comma).trim();
    if (comma > 0 && (kind.equals("periodically") || kind.equals("end"))) {
      try {
        long ms = Long.parseLong(s.substring(comma + 1).trim());
        if (ms >= 0 && ms <= 3_600_000) return ms;
      } catch (NumberFormatException ignored) {
        // reported below
      }
    }
    AgentLog.info("DD_SERVERLESS_FLUSH_STRATEGY='" + v + "' is not end, periodically,MS or end,MS; spans are sent at the end of"
        + " an invocation at most every " + DEFAULT_SPAN_FLUSH_PERIOD_MILLIS + " ms");
    return DEFAULT_SPAN_FLUSH_PERIOD_MILLIS;
  }

  private long positiveLong(String name, long dflt, long min, long max) {
    String v = raw(name);
    if (v == null) return dflt;
    try {
      long n = Long.parseLong(v);
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    AgentLog.info(name + "='" + v + "' is not a whole number from " + min + " to " + max + "; using " + dflt);
    return dflt;
  }

  /** A duration such as {@code 10ms}, {@code 500us}, {@code 2000000ns}, {@code 1s}; a bare number is milliseconds. */
  private long duration(String name, long dfltNanos, long minNanos, long maxNanos) {
    String v = raw(name);
    if (v == null) return dfltNanos;
    long nanos = parseDurationNanos(v);
    if (nanos >= minNanos && nanos <= maxNanos) return nanos;
    AgentLog.info(name + "='" + v + "' is not a duration from " + (minNanos / 1000) + "us to " + (maxNanos / 1_000_000) + "ms; using "
        + (dfltNanos / 1_000_000) + "ms");
    return dfltNanos;
  }

  static long parseDurationNanos(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    long unit = 1_000_000L;
    if (s.endsWith("ns")) { unit = 1; s = s.substring(0, s.length() - 2); }
    else if (s.endsWith("us")) { unit = 1_000; s = s.substring(0, s.length() - 2); }
    else if (s.endsWith("ms")) { s = s.substring(0, s.length() - 2); }
    else if (s.endsWith("s")) { unit = 1_000_000_000L; s = s.substring(0, s.length() - 1); }
    try {
      long n = Long.parseLong(s.trim());
      return n > 0 && n <= Long.MAX_VALUE / unit ? n * unit : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private <E extends Enum<E>> E choice(String name, Class<E> type, E dflt) {
    String v = raw(name);
    if (v == null) return dflt;
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) return e;
    }
    StringBuilder allowed = new StringBuilder();
    for (E e : type.getEnumConstants()) allowed.append(allowed.length() == 0 ? "" : "|").append(e.name().toLowerCase(Locale.ROOT));
    AgentLog.info(name + "='" + v + "' is not one of " + allowed + "; using " + dflt.name().toLowerCase(Locale.ROOT));
    return dflt;
  }

  /** {@code DD_TAGS}: {@code key:value} pairs separated by commas or spaces. */
  static Map<String, String> parseTags(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (s == null) return out;
    for (String part : s.split("[,\\s]+")) {
      if (part.isEmpty()) continue;
      int colon = part.indexOf(':');
      if (colon <= 0) {
        AgentLog.once("tag:" + part, "DD_TAGS entry '" + part + "' has no key:value form; ignored");
        continue;
      }
      out.put(part.substring(0, colon), part.substring(colon + 1));
    }
    return out;
  }

  /** 1 to 6 decimal digits (no regex: java.util.regex is not loaded this early otherwise). */
  static boolean isDigits(String s) {
    if (s == null || s.isEmpty() || s.length() > 6) return false;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    return true;
  }
}
