package dev.ddsls.agent;

import dev.ddsls.agent.lambda.ExtensionRegistration;
import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.lambda.InvocationListener;
import dev.ddsls.agent.lambda.RuntimeApiProxy;
import dev.ddsls.agent.sampling.AsyncProfilerEngine;
import dev.ddsls.agent.sampling.JfrEngine;
import dev.ddsls.agent.sampling.SamplingEngine;
import dev.ddsls.agent.trace.TraceSettings;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code -javaagent} entry point. With {@code DD_PROFILING_ENABLED=true} it starts, in this order: the Runtime
 * API proxy (when the layer's wrapper redirected the runtime; it must run whatever else fails), the sampling
 * engine, and the flusher. Nothing here may throw into the JVM's start: a failure degrades with one log line.
 */
public final class Agent {
  /** Budget for the last flush at SIGTERM: Lambda gives the runtime and internal extensions about 500 ms in all. */
  private static final long SHUTDOWN_BUDGET_MS = 400;

  private Agent() {}

  public static void premain(String args, Instrumentation inst) {
    long premainStart = System.nanoTime();
    try {
      start(premainStart, inst);
    } catch (Throwable t) {
      AgentLog.info("agent could not start (" + AgentLog.describe(t) + "); the function runs without profiling");
    }
  }

  private static void start(long premainStart, Instrumentation inst) {
    AgentConfig config = AgentConfig.fromEnvironment();
    if (!config.profilingEnabled) {
      // The wrapper redirects the runtime only when profiling is on; if a -D switched it off, still pass through.
      if (config.runtimeApiUpstream != null) startProxy(config, null);
      return;
    }
    AgentLog.setDebug(config.debug);
    Timeline timeline = new Timeline(premainStart, processStartEpochNanos(config));

    InvocationTracker tracker = null;
    if (config.runtimeApiUpstream != null) {
      tracker = new InvocationTracker(timeline);
      // On the runtime's main thread: TraceSettings remembers it to find the function's class loader later.
      tracker.setTracing(TraceSettings.from(config));
    }
    String handler = BackgroundStart.handlerClass(config);
    boolean background = tracker != null && inst != null && handler != null;
    if (!background && tracker != null) {
      if (startProxy(config, tracker)) ExtensionRegistration.startInBackground(config.runtimeApiUpstream);
      else tracker = null;
    }
    Flusher flusher = new Flusher(config, timeline, tracker);
    BackgroundStart start = new BackgroundStart(config, tracker, Thread.currentThread(), flusher, inst, handler);
    long configured = System.nanoTime();
    SamplingEngine engine = null;
    if (background) start.startInBackground();
    else engine = start.startHere();
    long started = System.nanoTime();
    // The first invocation's class list (for priming) goes to DDSLS_OUTPUT_DIR only: without one, nothing is recorded.
    if (tracker != null && inst != null && config.outputDir != null) flusher.setClassRecorder(new FirstInvocationClasses(inst));
    if (tracker != null) tracker.setFlushControl(flusher);
    Thread worker = new Thread(flusher, "ddsls-flush");
    worker.setDaemon(true);
    worker.start();
    Runtime.getRuntime().addShutdownHook(new ShutdownFlush(flusher));

    timeline.premainEndNanos = System.nanoTime();
    if (config.debug) {
      AgentLog.info("started in " + ms(timeline.premainEndNanos - premainStart) + " ms (config " + ms(configured - premainStart)
          + ", start " + ms(started - configured) + ", the rest " + ms(timeline.premainEndNanos - started) + "): "
          + (engine == null ? "proxy and engine starting beside the runtime" : engine.description()) + (tracker == null ? ", host mode" : ", Lambda mode"));
    }
  }

  /** Milliseconds with one decimal, for debug lines. */
  static String ms(long nanos) { return Long.toString(nanos / 100_000 / 10) + "." + (nanos / 100_000 % 10); }

  static boolean startProxy(AgentConfig config, InvocationTracker tracker) {
    try {
      RuntimeApiProxy.start(config.runtimeApiUpstream, config.proxyPort, tracker == null ? PassThrough.INSTANCE : tracker);
      return true;
    } catch (Throwable t) {
      AgentLog.info("cannot serve the Runtime API proxy on 127.0.0.1:" + config.proxyPort + " (" + AgentLog.describe(t)
          + "); the runtime cannot reach " + config.runtimeApiUpstream + " through it");
      return false;
    }
  }

  static SamplingEngine startEngine(AgentConfig config, boolean lambda, Thread initThread) {
    Path tmp = Paths.get(System.getProperty("java.io.tmpdir", "/tmp"));
    boolean wall = config.wall != AgentConfig.Wall.OFF && (lambda || config.wall == AgentConfig.Wall.ALWAYS);
    if (config.engine != AgentConfig.Engine.JFR) {
      try {
        return AsyncProfilerEngine.start(asyncProfilerLibrary(config), tmp, config.initIntervalNanos, config.intervalNanos,
            wall ? initThread : null);
      } catch (Throwable t) {
        AgentLog.info("async-profiler cannot run here (" + AgentLog.describe(t) + ")"
            + (config.engine == AgentConfig.Engine.ASYNC ? "; DDSLS_PROFILING_ENGINE=async, so no sampling" : "; sampling with JFR instead"));
        if (config.engine == AgentConfig.Engine.ASYNC) return null;
      }
    }
    try {
      return JfrEngine.start(tmp, config.initIntervalNanos, config.intervalNanos);
    } catch (Throwable t) {
      AgentLog.info("JFR cannot record here (" + AgentLog.describe(t) + "); no sampling, spans only");
      return null;
    }
  }

  /**
   * The async-profiler library to load: {@code DDSLS_ASYNC_PROFILER_LIBRARY} (the layer's wrapper points it at the
   * layer's copy for this CPU), else the copy unpacked beside this jar; null: extract it from the jar.
   */
  static String asyncProfilerLibrary(AgentConfig config) {
    String configured = config.raw("DDSLS_ASYNC_PROFILER_LIBRARY");
    if (configured != null && new File(configured).isFile()) return configured;
    if (configured != null) AgentLog.info("DDSLS_ASYNC_PROFILER_LIBRARY=" + configured + " is not a file; using the agent's own copy");
    return AsyncProfilerEngine.unpackedLibrary(agentJar());
  }

  /**
   * This agent's jar: the code source when the system class loader defined this class, else (the boot loader,
   * through ddsls-boot.jar's Boot-Class-Path) the jar named by this class's own resource URL,
   * {@code jar:file:/opt/ddsls/ddsls-agent.jar!/dev/ddsls/agent/Agent.class}. That lookup costs a few ms of class
   * loading, so it runs only when the wrapper did not name the library (and on the engine's thread).
   */
  static File agentJar() {
    try {
      CodeSource source = Agent.class.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) return new File(source.getLocation().toURI());
      String url = String.valueOf(Agent.class.getResource("Agent.class"));
      int end = url.indexOf("!/");
      return url.startsWith("jar:file:") && end > 0 ? new File(new URI(url.substring(4, end))) : null;
    } catch (Throwable t) {
      return null;
    }
  }

  /** The exec wrapper's stamp ({@code DDSLS_WRAPPER_START_NS}) or the OS's process start time; 0 when unknown. */
  /**
   * When the runtime process started: the launcher's stamp where one started us and said when (ddsls coldstart's
   * emulator, {@code DDSLS_PLATFORM_START_NS}), else the exec wrapper's, else the OS's start time (10 ms ticks).
   */
  private static long processStartEpochNanos(AgentConfig config) {
    for (String name : new String[] {"DDSLS_PLATFORM_START_NS", "DDSLS_WRAPPER_START_NS"}) {
      String stamp = config.raw(name);
      if (stamp == null) continue;
      try {
        return Long.parseLong(stamp);
      } catch (NumberFormatException ignored) {
        // try the next
      }
    }
    try {
      Optional<Instant> t = ProcessHandle.current().info().startInstant();
      return t.isPresent() ? t.get().getEpochSecond() * 1_000_000_000L + t.get().getNano() : 0;
    } catch (Throwable t) {
      return 0;
    }
  }

  /** A named class, not a lambda: a lambda would load the invokedynamic machinery during every cold start. */
  private static final class ShutdownFlush extends Thread {
    private final Flusher flusher;

    ShutdownFlush(Flusher flusher) {
      super("ddsls-shutdown");
      this.flusher = flusher;
    }

    @Override public void run() { flusher.shutdown(SHUTDOWN_BUDGET_MS); }
  }

  /** Forwards without following: used when profiling is off but the runtime was already pointed at the proxy. */
  private static final class PassThrough implements InvocationListener {
    static final PassThrough INSTANCE = new PassThrough();

    @Override public void onNextRequested(long nanoTime) {}

    @Override public void onInvocation(InvocationEvent event) {}

    @Override public void onResponse(String requestId, long nanoTime, int responseBytes) {}

    @Override public void onInvocationError(String requestId, long nanoTime, String errorType, byte[] body) {}

    @Override public void onInitError(long nanoTime, String errorType, byte[] body) {}
  }
}
