package dev.ddsls.agent;

import dev.ddsls.agent.sampling.AsyncProfilerEngine;
import dev.ddsls.agent.sampling.SamplingEngine;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts the sampling engine beside the runtime's own start-up, and makes sure it runs before the function's code:
 * loading async-profiler's library takes tens of milliseconds that need not be on the init thread's path. The
 * engine starts on thread {@code ddsls-engine}; a one-shot hook on the init thread waits for it (at most
 * {@link #MAX_WAIT_MS}) when the handler's class is about to load, so its static initialisers are sampled, and puts
 * the init thread into async-profiler's wall-clock filter (async-profiler 4.2 does not keep a thread added while
 * the JVM is still starting, as in premain). The hook never changes a class and removes itself as soon as it can:
 * when the engine is up and the launcher has loaded the main class, usually long before the handler's class.
 */
final class EngineStart implements Runnable, ClassFileTransformer {
  static final long MAX_WAIT_MS = 2_000;

  private final AgentConfig config;
  private final boolean lambda;
  private final Thread initThread;
  private final Flusher flusher;
  private final Instrumentation inst;
  /** Internal name of the class to wait at ({@code com/example/Handler}); null: the first application class. */
  private final String awaitClass;
  private final CountDownLatch started = new CountDownLatch(1);
  private volatile SamplingEngine engine;
  /** The launcher has handed over to the main class: from then on a thread added to async-profiler's filter stays. */
  private volatile boolean mainClassLoaded;
  private boolean done;

  EngineStart(AgentConfig config, boolean lambda, Thread initThread, Flusher flusher, Instrumentation inst, String awaitClass) {
    this.config = config;
    this.lambda = lambda;
    this.initThread = initThread;
    this.flusher = flusher;
    this.inst = inst;
    this.awaitClass = awaitClass;
  }

  /** Starts the engine on its own thread and installs the hook. */
  void startInBackground() {
    inst.addTransformer(this);
    Thread t = new Thread(this, "ddsls-engine");
    t.setDaemon(true);
    t.start();
  }

  /** Starts the engine on the calling thread (host mode, or no Instrumentation); the hook only rejoins the wall filter. */
  SamplingEngine startHere() {
    run();
    if (inst != null && engine instanceof AsyncProfilerEngine) inst.addTransformer(this);
    return engine;
  }

  @Override public void run() {
    try {
      engine = Agent.startEngine(config, lambda, initThread);
      flusher.setEngine(engine);
    } catch (Throwable t) {
      AgentLog.info("sampling could not start (" + AgentLog.describe(t) + "); spans only");
    } finally {
      started.countDown();
    }
    if (mainClassLoaded) finishHook();
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (loader == null || className == null || Thread.currentThread() != initThread || className.startsWith("dev/ddsls/")) return null;
    if (!mainClassLoaded) {
      mainClassLoaded = true;
      // Engine already up: nothing to wait for later, so stop hooking class loads now (each costs while hooked).
      if (started.getCount() == 0) {
        finishHook();
        return null;
      }
    }
    if (awaitClass != null && !awaitClass.equals(className)) return null;
    try {
      long waitFrom = System.nanoTime();
      if (!started.await(MAX_WAIT_MS, TimeUnit.MILLISECONDS)) {
        AgentLog.info("the sampling engine was not ready after " + MAX_WAIT_MS + " ms; the function's init goes on without waiting");
      }
      if (config.debug) AgentLog.info("the handler's class waited " + (System.nanoTime() - waitFrom) / 100_000 / 10.0 + " ms for the sampling engine");
    } catch (Throwable t) {
      AgentLog.once("engine-start-hook", "init-thread hook failed: " + AgentLog.describe(t));
    }
    finishHook();
    return null;
  }

  /** Once: puts the init thread into the wall-clock filter and stops hooking class loads. */
  private synchronized void finishHook() {
    if (done) return;
    done = true;
    try {
      SamplingEngine e = engine;
      if (e instanceof AsyncProfilerEngine) ((AsyncProfilerEngine) e).rejoinWallThread();
      inst.removeTransformer(this);
    } catch (Throwable t) {
      AgentLog.once("engine-start-hook", "init-thread hook failed: " + AgentLog.describe(t));
    }
  }

  /** The handler's class from {@code _HANDLER} ({@code com.example.Handler::method}) as an internal name; null if unset. */
  static String handlerClass(AgentConfig config) {
    String h = config.raw("_HANDLER");
    if (h == null) return null;
    int sep = h.indexOf("::");
    return (sep < 0 ? h : h.substring(0, sep)).replace('.', '/');
  }
}
