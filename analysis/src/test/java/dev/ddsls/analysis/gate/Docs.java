package dev.ddsls.analysis.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;

/** Builds synthetic gate input documents in the contract shapes. */
final class Docs {
  static final ObjectMapper JSON = new ObjectMapper();

  private Docs() {}

  /** Normally distributed init samples (ms) from a fixed seed. */
  static double[] normal(int n, double mean, double sd, long seed) {
    Random r = new Random(seed);
    double[] a = new double[n];
    for (int i = 0; i < n; i++) a[i] = Math.round((mean + sd * r.nextGaussian()) * 10) / 10.0;
    return a;
  }

  /** A ddsls.coldstart/v1 results tree with one ok run per init sample. */
  static ObjectNode coldstart(double[] initMs) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", "ddsls.coldstart/v1");
    root.put("handler", "example.HelloHandler::handleRequest");
    root.put("agent", true);
    ArrayNode runs = root.putArray("runs");
    for (int i = 0; i < initMs.length; i++) {
      ObjectNode run = runs.addObject();
      run.put("run", i + 1);
      run.put("status", "ok");
      run.putNull("error");
      run.put("initMs", initMs[i]);
      ObjectNode phases = run.putObject("phasesMs");
      phases.put("jvm", 40.0);
      phases.put("agent", 3.0);
      phases.put("runtimeInit", initMs[i] - 43);
      run.putArray("invocationsMs").add(95.0 + i).add(3.0).add(2.5);
      run.putArray("files");
    }
    return root;
  }

  static GateDocument coldstartDoc(double[] initMs) {
    return GateDocument.parse(coldstart(initMs), null);
  }

  static ObjectNode diagnose() throws Exception {
    return (ObjectNode) JSON.readTree("""
        { "schema": "ddsls.diagnose/v1", "source": "dir:/tmp/x",
          "window": {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"},
          "functions": [ { "function": "orders", "service": "orders", "invocations": 120, "coldStarts": 6,
              "initMs": {"n": 6, "p50": 900.0, "p90": 1400.0, "p99": 1500.0, "max": 1510.0},
              "phasesMs": {"jvm": {"n": 6, "p50": 40, "p90": 50, "p99": 52, "max": 52},
                           "agent": {"n": 6, "p50": 3, "p90": 4, "p99": 4, "max": 4},
                           "runtimeInit": {"n": 6, "p50": 850, "p90": 1300, "p99": 1400, "max": 1410},
                           "firstInvocation": {"n": 6, "p50": 300, "p90": 350, "p99": 360, "max": 360}},
              "coldInvocationPenaltyMs": 310.0,
              "init": {"cpuMs": 640.0, "wallMs": 2100.0, "topFrames": [], "topPackages": []},
              "findings": [ {"id": "init-cpu-hotspot", "severity": "high", "title": "t", "evidence": {}, "advice": "a", "reference": "r"},
                            {"id": "class-loading-heavy", "severity": "low", "title": "t", "evidence": {}, "advice": "a", "reference": "r"} ] } ],
          "connectivity": { "invocationSpans": 120, "connected": 118, "orphans": 1, "roots": 1,
                            "connectedRate": 0.983, "byTrigger": {}, "findings": [] } }
        """);
  }
}
