package dev.ddsls.agent;

import dev.ddsls.agent.sampling.AsyncProfilerEngine;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * A one-shot hook on the first application class the init thread loads (the launcher loading the main class):
 * there it puts the thread back into async-profiler's wall-clock filter, then removes itself. It never changes a
 * class (returns null).
 */
final class WallThreadRejoin implements ClassFileTransformer {
  private final Instrumentation inst;
  private final AsyncProfilerEngine engine;
  private final Thread initThread = Thread.currentThread();
  private volatile boolean done;

  private WallThreadRejoin(Instrumentation inst, AsyncProfilerEngine engine) {
    this.inst = inst;
    this.engine = engine;
  }

  static void install(Instrumentation inst, AsyncProfilerEngine engine) {
    try {
      inst.addTransformer(new WallThreadRejoin(inst, engine));
    } catch (Throwable t) {
      AgentLog.once("wall-rejoin", "cannot follow the init thread for wall-clock samples: " + AgentLog.describe(t));
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (done || loader == null || Thread.currentThread() != initThread || className == null || className.startsWith("dev/ddsls/agent/")) {
      return null;
    }
    done = true;
    engine.rejoinWallThread();
    inst.removeTransformer(this);
    return null;
  }
}
