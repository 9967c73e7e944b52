package dev.ddsls.cli.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cold-start phases the agent measured, read from the {@code spans-*.jsonl} files it wrote into a run's
 * directory: the span with meta {@code cold_start:"true"} carries metrics {@code ddsls.init.jvm_ms},
 * {@code ddsls.init.agent_ms} and {@code ddsls.init.runtime_init_ms}. A line may hold one span or an array of
 * spans (a trace chunk); lines that are not JSON are skipped (a file cut short by SIGKILL).
 */
final class AgentPhases {
  /** Phases in milliseconds, named as in the output contract. */
  record Phases(double jvm, double agent, double runtimeInit) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentPhases() {}

  /** The phases of the run's cold start, or null when the agent wrote none. */
  static Phases read(Path runDir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(runDir, "spans-*.jsonl")) {
      for (Path p : ds) files.add(p);
    }
    files.sort(null);
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (line.isBlank()) continue;
          JsonNode node;
          try {
            node = JSON.readTree(line);
          } catch (IOException notJson) {
            continue;
          }
          Phases p = find(node);
          if (p != null) return p;
        }
      }
    }
    return null;
  }

  private static Phases find(JsonNode node) {
    if (node == null) return null;
    if (node.isArray()) {
      for (JsonNode n : node) {
        Phases p = find(n);
        if (p != null) return p;
      }
      return null;
    }
    if (!node.isObject() || !"true".equals(node.path("meta").path("cold_start").asText())) return null;
    JsonNode m = node.path("metrics");
    JsonNode jvm = m.get("ddsls.init.jvm_ms");
    JsonNode agent = m.get("ddsls.init.agent_ms");
    JsonNode init = m.get("ddsls.init.runtime_init_ms");
    if (jvm == null || agent == null || init == null || !jvm.isNumber() || !agent.isNumber() || !init.isNumber()) return null;
    return new Phases(jvm.asDouble(), agent.asDouble(), init.asDouble());
  }
}
