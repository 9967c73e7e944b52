package dev.ddsls.agent;

import dev.ddsls.agent.lambda.ExtensionRegistration;
import dev.ddsls.agent.sampling.AsyncProfilerEngine;
import dev.ddsls.agent.sampling.SamplingEngine;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts the agent beside the runtime's own start-up instead of in front of it. One thread, {@code ddsls-start},
 * opens the Runtime API proxy, starts the extension registration, then loads and starts the sampling engine (async-
 * profiler's library load alone parses libjvm's symbols for about 30 ms). The init thread waits once, just before the
 * function's code: for the AWS runtime interface client at its {@link RuntimeClientGate} (where it reads the task root
 * to build the function's class loader); for any other runtime in a one-shot class-load hook, which waits for the
 * proxy before the first Runtime API call (at the runtime's main class) and for the engine at the handler's class.
 * Either way the function's static initialisers are sampled, and the init thread is put back into async-profiler's
 * wall-clock filter (async-profiler 4.2 does not keep a thread added while the JVM is still starting). Each wait is
 * bounded by {@link #MAX_WAIT_MS}; the hook never changes a class and removes itself as soon as it can.
 */
final class BackgroundStart implements Runnable, ClassFileTransformer {
  static final long MAX_WAIT_MS = 2_000;
  static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final String RIC_MAIN_INTERNAL = RIC_MAIN.replace('.', '/');
  /** The class through which the runtime interface client makes every Runtime API call (its interface loads earlier). */
  static final String RIC_API_CLIENT = "com/amazonaws/services/lambda/runtime/api/client/runtimeapi/LambdaRuntimeApiClientImpl";

  private final AgentConfig config;
  private final InvocationTracker tracker;
  private final Thread initThread;
  private final Flusher flusher;
  private final Instrumentation inst;
  /** Internal name of the class to wait at for the engine ({@code com/example/Handler}); null: the first application class. */
  private final String awaitClass;
  private final long created = System.nanoTime();
  private final CountDownLatch proxyReady = new CountDownLatch(1);
  private final CountDownLatch engineReady = new CountDownLatch(1);
  private volatile SamplingEngine engine;
  /** The launcher has handed over to the main class: from then on a thread added to async-profiler's filter stays. */
  private volatile boolean mainClassLoaded;
  private boolean done;
  /** The class at which the init thread waits for the proxy; null: done, or done at the main class. */
  private String waitForProxyAt;

  BackgroundStart(AgentConfig config, InvocationTracker tracker, Thread initThread, Flusher flusher, Instrumentation inst, String awaitClass) {
    this.config = config;
    this.tracker = tracker;
    this.initThread = initThread;
    this.flusher = flusher;
    this.inst = inst;
    this.awaitClass = awaitClass;
  }

  /** Lambda mode: proxy, registration and engine on thread {@code ddsls-start}, and the init thread's wait. */
  void startInBackground() {
    loadJdkLibrariesFirst();
    // An anonymous class, not a lambda expression: this runs in premain, where the first lambda would cost a few ms.
    Runnable atGate = new Runnable() {
      @Override public void run() { atRuntimeClientGate(); }
    };
    if (!RIC_MAIN.equals(mainClass()) || !RuntimeClientGate.install(initThread, atGate)) {
      try {
        inst.addTransformer(this);
      } catch (Throwable e) {
        // Without the hook the function's init may start before sampling does; the proxy must start regardless.
        AgentLog.info("cannot hook the init thread (" + AgentLog.describe(e) + "); init may run before sampling starts");
      }
    }
    Thread t = new Thread(this, "ddsls-start");
    t.setDaemon(true);
    t.start();
  }

  /** The main class the launcher was given ({@code sun.java.command} up to the first space); null if unknown. */
  static String mainClass() {
    String command = System.getProperty("sun.java.command");
    if (command == null) return null;
    int space = command.indexOf(' ');
    return space < 0 ? command : command.substring(0, space);
  }

  /** On the runtime interface client's init thread, before the function's class loader exists: the one wait. */
  private void atRuntimeClientGate() {
    if (config.debug) AgentLog.info("the init thread is at the runtime client's gate, " + Agent.ms(System.nanoTime() - created) + " ms after premain");
    await(proxyReady, "the Runtime API proxy");
    await(engineReady, "the sampling engine");
    finishHook();
  }

  /** Host mode (or no Instrumentation): the engine on the calling thread; the hook only rejoins the wall filter. */
  SamplingEngine startHere() {
    proxyReady.countDown();
    startEngine();
    if (inst != null && engine instanceof AsyncProfilerEngine) inst.addTransformer(this);
    return engine;
  }

  @Override public void run() {
    long from = System.nanoTime();
    boolean serving = false;
    try {
      serving = tracker != null && Agent.startProxy(config, tracker); // logs its own failure
    } finally {
      proxyReady.countDown();
    }
    // As when the proxy starts on the init thread: the extension registers only beside a working proxy.
    if (serving) ExtensionRegistration.startInBackground(config.runtimeApiUpstream);
    long proxied = System.nanoTime();
    startEngine();
    if (config.debug) {
      AgentLog.info("background start: proxy " + Agent.ms(proxied - from) + " ms, engine " + Agent.ms(System.nanoTime() - proxied) + " ms");
    }
    if (mainClassLoaded) finishHook();
  }

  private void startEngine() {
    try {
      engine = Agent.startEngine(config, tracker != null, initThread);
      flusher.setEngine(engine);
    } catch (Throwable t) {
      AgentLog.info("sampling could not start (" + AgentLog.describe(t) + "); spans only");
    } finally {
      engineReady.countDown();
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (loader == null || className == null || Thread.currentThread() != initThread || className.startsWith("dev/ddsls/")) return null;
    if (!mainClassLoaded) {
      mainClassLoaded = true;
      // The AWS runtime interface client reaches the Runtime API only through its client class: with it as the main
      // class, the wait for the proxy moves to that class, about 15 ms later, by when the proxy is up.
      waitForProxyAt = RIC_MAIN_INTERNAL.equals(className) ? RIC_API_CLIENT : null;
      if (waitForProxyAt == null) await(proxyReady, "the Runtime API proxy");
      // Engine already up (so the proxy too): nothing to wait for later, so stop hooking class loads now.
      if (engineReady.getCount() == 0) {
        finishHook();
        return null;
      }
    }
    boolean handler = awaitClass == null || awaitClass.equals(className);
    if (waitForProxyAt != null && (handler || className.equals(waitForProxyAt))) {
      await(proxyReady, "the Runtime API proxy");
      waitForProxyAt = null;
    }
    if (!handler) return null;
    await(engineReady, "the sampling engine");
    finishHook();
    return null;
  }

  private void await(CountDownLatch latch, String what) {
    try {
      if (latch.getCount() == 0) return;
      long from = System.nanoTime();
      if (!latch.await(MAX_WAIT_MS, TimeUnit.MILLISECONDS)) {
        AgentLog.info(what + " was not ready after " + MAX_WAIT_MS + " ms; the function's init goes on without waiting");
      }
      if (config.debug) AgentLog.info("the init thread waited " + Agent.ms(System.nanoTime() - from) + " ms for " + what);
    } catch (Throwable t) {
      AgentLog.once("start-hook", "init-thread hook failed: " + AgentLog.describe(t));
    }
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
      AgentLog.once("start-hook", "init-thread hook failed: " + AgentLog.describe(t));
    }
  }

  /**
   * While async-profiler's library loads on {@code ddsls-start} (its constructor under glibc's loader lock, then its
   * JNI_OnLoad under JDK 17's native-library monitor: about 45 ms), the JDK cannot load another native library: a
   * {@code System.loadLibrary} on the init thread would wait for it. The launcher's first loads are
   * libzip (the first class read from a jar: Inflater, CRC32) and libjimage (the first class read from the runtime
   * image outside the CDS archive); making them here first costs a fraction of a millisecond.
   */
  private static void loadJdkLibrariesFirst() {
    initialize("java.util.zip.Inflater");
    initialize("java.util.zip.CRC32");
    initialize("jdk.internal.jimage.NativeImageBuffer");
  }

  private static void initialize(String bootClass) {
    try {
      Class.forName(bootClass, true, null);
    } catch (Throwable ignored) {
      // another JDK layout: the init thread may wait once, nothing breaks
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
