package dev.ddsls.agent;

import java.util.Collections;
import java.util.Map;

/** Real AgentConfig and Timeline instances for tests outside this package (their constructors are package-private). */
public final class TraceFixtures {
  private TraceFixtures() {}

  public static AgentConfig config(Map<String, String> env) { return new AgentConfig(env, Collections.<String, String>emptyMap()); }

  public static Timeline timeline() { return new Timeline(System.nanoTime(), 0); }
}
