package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  private static AgentConfig config(String... kv) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) env.put(kv[i], kv[i + 1]);
    return new AgentConfig(env, new HashMap<>());
  }

  @Test void defaults() {
    AgentConfig c = config();
    assertFalse(c.profilingEnabled);
    assertEquals("http://127.0.0.1:8126", c.agentUrl);
    assertEquals(60_000, c.uploadPeriodMillis);
    assertEquals(10_000_000, c.intervalNanos);
    assertEquals(AgentConfig.Engine.AUTO, c.engine);
    assertEquals(AgentConfig.Wall.INIT, c.wall);
    assertTrue(c.traceEnabled);
    assertNull(c.outputDir);
  }

  @Test void readsDatadogVariables() {
    AgentConfig c = config("DD_PROFILING_ENABLED", "true", "DD_SERVICE", "orders", "DD_ENV", "prod", "DD_TAGS", "team:pay, tier:1",
        "DD_AGENT_HOST", "10.1.2.3", "DD_TRACE_AGENT_PORT", "9126", "DD_PROFILING_UPLOAD_PERIOD", "30",
        "DDSLS_PROFILING_ENGINE", "JFR", "DDSLS_PROFILING_INTERVAL", "5ms", "DDSLS_PROFILING_WALL", "always");
    assertTrue(c.profilingEnabled);
    assertEquals("orders", c.service);
    assertEquals("prod", c.env);
    assertEquals(Map.of("team", "pay", "tier", "1"), c.tags);
    assertEquals("http://10.1.2.3:9126", c.agentUrl);
    assertEquals(30_000, c.uploadPeriodMillis);
    assertEquals(AgentConfig.Engine.JFR, c.engine);
    assertEquals(5_000_000, c.intervalNanos);
    assertEquals(AgentConfig.Wall.ALWAYS, c.wall);
  }

  @Test void traceAgentUrlWinsAndServiceFallsBackToFunctionName() {
    AgentConfig c = config("DD_TRACE_AGENT_URL", "http://127.0.0.1:9999/", "DD_AGENT_HOST", "x", "AWS_LAMBDA_FUNCTION_NAME", "Checkout");
    assertEquals("http://127.0.0.1:9999", c.agentUrl);
    assertEquals("checkout", c.service);
  }

  @Test void systemPropertyWinsOverEnvironment() {
    Map<String, String> props = new HashMap<>();
    props.put("dd.profiling.enabled", "false");
    AgentConfig c = new AgentConfig(Map.of("DD_PROFILING_ENABLED", "true"), props);
    assertFalse(c.profilingEnabled);
  }

  @Test void badValuesFallBackToDefaults() {
    AgentConfig c = config("DD_PROFILING_ENABLED", "perhaps", "DD_PROFILING_UPLOAD_PERIOD", "-5", "DDSLS_PROFILING_INTERVAL", "fast",
        "DDSLS_PROFILING_ENGINE", "perf", "DD_TRACE_AGENT_PORT", "99999", "DD_TRACE_AGENT_URL", "udp://x");
    assertFalse(c.profilingEnabled);
    assertEquals(60_000, c.uploadPeriodMillis);
    assertEquals(10_000_000, c.intervalNanos);
    assertEquals(AgentConfig.Engine.AUTO, c.engine);
    assertEquals("http://127.0.0.1:8126", c.agentUrl);
  }

  @Test void durations() {
    assertEquals(1_000, AgentConfig.parseDurationNanos("1us"));
    assertEquals(2_000_000_000L, AgentConfig.parseDurationNanos("2s"));
    assertEquals(7_000_000, AgentConfig.parseDurationNanos("7"));
    assertEquals(-1, AgentConfig.parseDurationNanos("0ms"));
    assertEquals(-1, AgentConfig.parseDurationNanos("abc"));
  }
}
