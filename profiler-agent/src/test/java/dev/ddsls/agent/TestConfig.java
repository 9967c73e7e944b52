package dev.ddsls.agent;

import java.util.HashMap;
import java.util.Map;

/** Builds an {@link AgentConfig} from explicit environment variables, for tests in other packages. */
public final class TestConfig {
  private TestConfig() {}

  /** {@code of("DD_SERVICE", "svc", "DD_ENV", "test")}: the environment holds exactly these variables. */
  public static AgentConfig of(String... namesAndValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) env.put(namesAndValues[i], namesAndValues[i + 1]);
    return new AgentConfig(env, new HashMap<>());
  }
}
