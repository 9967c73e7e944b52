package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentPhasesTest {
  @TempDir Path dir;

  private static String span(String coldStart, String metrics) {
    return "{\"trace_id\":1,\"span_id\":2,\"parent_id\":0,\"name\":\"aws.lambda\",\"service\":\"hello\",\"start\":1,\"duration\":2,"
        + "\"error\":0,\"meta\":{\"cold_start\":\"" + coldStart + "\"},\"metrics\":{" + metrics + "}}";
  }

  @Test
  void readsTheColdStartSpansInitMetrics() throws Exception {
    String phases = "\"ddsls.init.jvm_ms\":40.5,\"ddsls.init.agent_ms\":3.25,\"ddsls.init.runtime_init_ms\":760";
    Files.writeString(dir.resolve("spans-1.jsonl"), span("false", phases) + "\n" + "{\"truncat\n");
    Files.writeString(dir.resolve("spans-2.jsonl"), "\n[" + span("false", "") + "," + span("true", phases) + "]\n");
    Files.writeString(dir.resolve("other.jsonl"), span("true", "\"ddsls.init.jvm_ms\":1,\"ddsls.init.agent_ms\":1,\"ddsls.init.runtime_init_ms\":1"));
    AgentPhases.Phases p = AgentPhases.read(dir);
    assertEquals(new AgentPhases.Phases(40.5, 3.25, 760), p);
  }

  @Test
  void nullWithoutAColdStartSpanOrItsMetrics() throws Exception {
    assertNull(AgentPhases.read(dir));
    Files.writeString(dir.resolve("spans-1.jsonl"), span("true", "\"ddsls.init.jvm_ms\":40") + "\n" + span("false",
        "\"ddsls.init.jvm_ms\":40.5,\"ddsls.init.agent_ms\":3.25,\"ddsls.init.runtime_init_ms\":760") + "\n");
    assertNull(AgentPhases.read(dir));
  }
}
