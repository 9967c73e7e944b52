package dev.ddsls.cli.diagnose;

import dev.ddsls.formats.pprof.Frame;
import dev.ddsls.formats.pprof.ProfileBuilder;
import dev.ddsls.formats.pprof.ProfileBuilder.Label;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An agent output directory written without running a JVM: per cold start a {@code run-N/} with the invocation span
 * ({@code spans-N.jsonl}, cold, with the agent's init metrics) and a cpu and a wall profile whose samples carry the
 * agent's labels ({@code phase=init}, the span id as {@code local root span id}, {@code thread id}, {@code thread
 * state}). Each cold start has the same stacks, so every per-cold-start figure is known exactly: the test states it.
 */
public final class ColdStartFixture {
  /** One stack, leaf first, its ms per cold start, and the thread state of its wall samples. */
  record Stack(List<String> leafFirst, long ms, String state) {}

  private final String function;
  private final List<Stack> cpu = new ArrayList<>();
  private final List<Stack> wall = new ArrayList<>();

  public ColdStartFixture(String function) { this.function = function; }

  /** On CPU for {@code ms} per cold start (cpu samples, and wall samples in state running). */
  public ColdStartFixture onCpu(long ms, String... leafFirst) {
    cpu.add(new Stack(List.of(leafFirst), ms, "running"));
    wall.add(new Stack(List.of(leafFirst), ms, "running"));
    return this;
  }

  /** Blocked for {@code ms} per cold start (wall samples in state sleeping). */
  public ColdStartFixture blocked(long ms, String... leafFirst) {
    wall.add(new Stack(List.of(leafFirst), ms, "sleeping"));
    return this;
  }

  /** Writes {@code coldStarts} cold starts into {@code dir}; span ids are {@code firstSpanId}, +1, ... */
  public Path write(Path dir, int coldStarts, long firstSpanId) throws IOException {
    for (int i = 0; i < coldStarts; i++) {
      long span = firstSpanId + i;
      Path run = Files.createDirectories(dir.resolve("run-" + (i + 1)));
      Files.writeString(run.resolve("spans-" + span + ".jsonl"), span(span, 1_700_000_000_000_000_000L + i * 10_000_000_000L));
      Files.write(run.resolve("profile-" + span + "-cpu.pb.gz"), profile("cpu", cpu, span));
      Files.write(run.resolve("profile-" + span + "-wall.pb.gz"), profile("wall", wall, span));
    }
    return dir;
  }

  private String span(long id, long start) {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("ddsls.init.duration_ms", 1800.0);
    metrics.put("ddsls.init.jvm_ms", 300.0);
    metrics.put("ddsls.init.agent_ms", 50.0);
    metrics.put("ddsls.init.runtime_init_ms", 1450.0);
    StringBuilder m = new StringBuilder();
    for (Map.Entry<String, Object> e : metrics.entrySet()) m.append(m.length() == 0 ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
    return "{\"trace_id\":" + (id + 1_000_000) + ",\"span_id\":" + id + ",\"parent_id\":0,\"name\":\"aws.lambda\",\"resource\":\""
        + function + "\",\"service\":\"" + function + "\",\"type\":\"serverless\",\"start\":" + start + ",\"duration\":200000000,"
        + "\"error\":0,\"meta\":{\"cold_start\":\"true\",\"functionname\":\"" + function + "\",\"init_type\":\"on-demand\"},"
        + "\"metrics\":{" + m + "}}\n";
  }

  /** One sample per 10 ms of each stack, as the agent's 10 ms sampling would give. */
  private static byte[] profile(String kind, List<Stack> stacks, long span) {
    ProfileBuilder b = new ProfileBuilder(new String[][] {{"samples", "count"}, {kind, "nanoseconds"}}, kind, "nanoseconds", 10_000_000L);
    for (Stack s : stacks) {
      Frame[] frames = new Frame[s.leafFirst().size()];
      for (int i = 0; i < frames.length; i++) {
        String f = s.leafFirst().get(i);
        int dot = f.lastIndexOf('.');
        frames[i] = new Frame(f.substring(0, dot), f.substring(dot + 1), 1);
      }
      for (long t = 0; t < s.ms(); t += 10) {
        b.addSample(frames, new long[] {1, 10_000_000L}, Label.str("phase", "init"), Label.num("local root span id", span),
            Label.num("thread id", 1), Label.str("thread name", "main"), Label.str("thread state", s.state()));
      }
    }
    b.setTimeNanos(1_700_000_000_000_000_000L);
    b.setDurationNanos(2_000_000_000L);
    return b.encodeGzipped();
  }
}
