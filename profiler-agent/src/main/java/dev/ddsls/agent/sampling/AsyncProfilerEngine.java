package dev.ddsls.agent.sampling;

import dev.ddsls.agent.AgentLog;
import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import one.profiler.AsyncProfiler;

/**
 * async-profiler: {@code event=cpu} (perf events where allowed, else ctimer/itimer as in Lambda) recorded as JFR
 * with the monotonic clock, so samples can be placed in invocation windows by time. Wall-clock sampling, when on,
 * covers the thread that started the engine (the one that runs init) through the thread filter.
 */
public final class AsyncProfilerEngine extends RecordingEngine {
  /**
   * async-profiler logs to stdout, the function's own output, and each command resets its log to that unless the
   * command says otherwise. Its warnings are per thread or per library (a thread that exits while a recording starts
   * gets "perf_event_open for TID N failed"), nothing a user can act on; the agent reports its own degradations once.
   */
  private static final String QUIET = ",log=stderr,loglevel=error";
  private final AsyncProfiler profiler;
  private final Thread wallThread;
  private Path current;
  private int sequence;
  private String engineUsed;

  private AsyncProfilerEngine(AsyncProfiler profiler, Path dir, long initIntervalNanos, long intervalNanos, Thread wallThread) {
    super(dir, initIntervalNanos, intervalNanos);
    this.profiler = profiler;
    this.wallThread = wallThread;
  }

  /**
   * Loads the native library ({@code library}, or extracted from the jar when null) and starts
   * sampling; {@code wallThread}, when not null, is the thread to take wall-clock samples of. Throws when async-profiler cannot run here (other OS or libc, no permission): the caller falls back.
   */
  public static AsyncProfilerEngine start(String library, Path dir, long initIntervalNanos, long intervalNanos, Thread wallThread)
      throws Exception {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) throw new IllegalStateException("async-profiler's library is shipped for Linux only, not " + os);
    AsyncProfiler profiler = library != null ? AsyncProfiler.getInstance(library) : AsyncProfiler.getInstance();
    AsyncProfilerEngine engine = new AsyncProfilerEngine(profiler, dir, initIntervalNanos, intervalNanos, wallThread);
    engine.start(wallThread != null);
    return engine;
  }

  /** The layer's {@code ddsls/native/<arch>/libasyncProfiler.so} next to {@code ddsls/ddsls-agent.jar}. */
  public static String unpackedLibrary(File agentJar) {
    if (agentJar == null) return null;
    String arch = System.getProperty("os.arch", "");
    String tag = arch.equals("aarch64") || arch.equals("arm64") ? "linux-arm64" : arch.equals("amd64") || arch.equals("x86_64") ? "linux-x64" : null;
    if (tag == null) return null;
    File so = new File(agentJar.getParentFile(), "native/" + tag + "/libasyncProfiler.so");
    return so.isFile() ? so.getAbsolutePath() : null;
  }

  @Override void begin(boolean wall) throws Exception {
    current = dir.resolve(fileName(++sequence));
    // alluser: no kernel frames, which also skips loading kernel symbols (tens of ms) when perf events are allowed.
    StringBuilder cmd = new StringBuilder("start,event=cpu,alluser,interval=").append(recordingIntervalNanos).append("ns");
    if (wall) cmd.append(",wall=").append(recordingIntervalNanos).append("ns,filter");
    cmd.append(",jfr,clock=monotonic,file=").append(current).append(QUIET);
    profiler.execute(cmd.toString());
    if (wall && wallThread != null) profiler.addThread(wallThread);
  }

  /**
   * Puts the init thread back into the wall-clock thread filter. async-profiler 4.2 does not keep a thread added
   * while the JVM is still starting (premain): samples come only when the thread is added again after the
   * launcher hands over to the main class. The agent calls this when the init thread loads the handler's class.
   */
  public void rejoinWallThread() {
    try {
      if (wallThread != null && wallThread.isAlive()) profiler.addThread(wallThread);
    } catch (Throwable t) {
      AgentLog.once("wall-thread", "async-profiler could not follow the init thread for wall-clock samples: " + AgentLog.describe(t));
    }
  }

  @Override public String kind() { return "async"; }

  @Override public String description() {
    return "async-profiler " + version() + " (event=cpu" + (engineUsed == null ? "" : " via " + engineUsed) + ")";
  }

  private String version() {
    try {
      return profiler.getVersion();
    } catch (Throwable t) {
      return "?";
    }
  }

  @Override Path finish(boolean last) {
    if (current == null) return null;
    try {
      profiler.stop();
    } catch (Throwable t) {
      AgentLog.once("async-stop", "async-profiler stop failed: " + AgentLog.describe(t));
    }
    return current;
  }

  @Override void clear() { current = null; }

  /** async-profiler's {@code status}: "Profiling is running for N seconds", or "Profiler is not active". */
  @Override boolean recording() throws Exception {
    return current != null && profiler.execute("status" + QUIET).contains("running");
  }

  @Override void afterRead() {
    if (reader.engineSetting != null) engineUsed = reader.engineSetting;
  }
}
