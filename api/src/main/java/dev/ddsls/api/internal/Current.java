package dev.ddsls.api.internal;

/**
 * Where the agent publishes the running invocation. The agent's jar is on the system class path, and the Lambda
 * runtime's class loader asks its parent first, so a function that bundles ddsls-api still sees this very class.
 */
public final class Current {
  private static volatile ActiveSpan active;

  private Current() {}

  public static ActiveSpan get() { return active; }

  public static void set(ActiveSpan span) { active = span; }

  /** Clears {@code span} if it is still the current one (a newer invocation's is left alone). */
  public static void clear(ActiveSpan span) {
    if (active == span) active = null;
  }
}
