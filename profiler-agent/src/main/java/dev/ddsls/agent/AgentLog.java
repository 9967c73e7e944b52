package dev.ddsls.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One-line log messages on stderr (CloudWatch in Lambda). No logging framework: every class costs cold start. */
public final class AgentLog {
  private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();
  private static volatile boolean debug = false;

  private AgentLog() {}

  static void setDebug(boolean on) { debug = on; }

  public static void info(String message) { System.err.println("ddsls: " + message); }

  public static void debug(String message) { if (debug) info(message); }

  /** Logs {@code message} the first time {@code key} is seen, never again: degradations are reported once. */
  public static void once(String key, String message) { if (ONCE.add(key)) info(message); }

  /** Describes a throwable in one line, without a stack trace. */
  public static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
  }
}
