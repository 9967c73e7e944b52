package dev.ddsls.agent;

import java.util.Properties;

/**
 * Where the AWS runtime interface client stops its init thread for the agent, without hooking a single class load.
 * Before it builds the function's class loader, loads the handler's class and makes its first Runtime API call, the
 * client reads {@code user.dir} (the task root, {@code /var/task}). This object replaces the system properties with an
 * identical copy whose {@link #getProperty(String)} runs a given action the first time
 * the init thread reads that key; every other read is a plain {@link Properties} lookup behind one volatile check.
 *
 * <p>Why not a {@link java.lang.instrument.ClassFileTransformer} at the handler's class: while any transformer is
 * registered the JVM posts every class load to Java, and for classes from the CDS archive it first reads their bytes
 * back from the runtime image. Measured on the runtime client's start-up, that costs 10 to 15 ms of init time
 * ({@code docs/benchmarks.md}). The transformer stays the way for other runtimes, whose code the agent does not know.
 */
@SuppressWarnings("serial") // never serialized: it replaces System.getProperties() for the life of this JVM only
final class RuntimeClientGate extends Properties {
  /** The key the runtime interface client reads once, on its init thread, just before loading the handler. */
  static final String KEY = "user.dir";

  private final transient Thread initThread;
  private final transient Runnable atGate;
  private volatile boolean armed = true;

  private RuntimeClientGate(int size, Thread initThread, Runnable atGate) {
    super(size);
    this.initThread = initThread;
    this.atGate = atGate;
  }

  /**
   * Installs the gate as the system properties (a copy of every current property). Called from premain, while the
   * init thread is the only one running application code, so no property set elsewhere can fall between copy and swap.
   * {@code atGate} runs once, on {@code initThread}, inside its read of {@link #KEY}.
   */
  static boolean install(Thread initThread, Runnable atGate) {
    try {
      Properties current = System.getProperties();
      RuntimeClientGate gate = new RuntimeClientGate(current.size() + 16, initThread, atGate);
      for (String name : current.stringPropertyNames()) gate.setProperty(name, current.getProperty(name));
      System.setProperties(gate);
      return true;
    } catch (Throwable t) {
      AgentLog.info("cannot set the init thread's gate (" + AgentLog.describe(t) + "); waiting at class loads instead");
      return false;
    }
  }

  @Override public String getProperty(String key) {
    if (armed && Thread.currentThread() == initThread && KEY.equals(key)) {
      armed = false;
      atGate.run();
    }
    return super.getProperty(key);
  }
}
