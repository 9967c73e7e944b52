package dev.ddsls.collector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a Datadog tracer sends a local Agent besides traces and profiles, answered as the Agent answers so the tracer
 * logs no 404 and turns on what it turns on beside a real Agent: instrumentation telemetry, client stats, data streams,
 * debugger diagnostics and snapshots, the EVP proxy, remote configuration (no configurations to give). ddsls uses none
 * of them: each request's body is read (bounded like any other) and counted by endpoint, then dropped. The
 * {@code /info} body lists them, and its hash is the {@code Datadog-Agent-State} header of trace answers, which a
 * tracer compares to decide whether to read {@code /info} again (datadog-agent {@code pkg/trace/api/info.go}).
 */
final class AgentEndpoints {
  /** Paths served with their answer; a path ending in '/' is a prefix (the EVP proxy's subdomains and paths). */
  static final List<String> PATHS = List.of("/telemetry/proxy/", "/v0.6/stats", "/v0.1/pipeline_stats", "/debugger/v1/input",
      "/debugger/v1/diagnostics", "/symdb/v1/input", "/evp_proxy/v2/", "/evp_proxy/v4/", "/v0.7/config", "/tracer_flare/v1");

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  /** The served path {@code path} falls under, or null. */
  static String match(String path) {
    for (String p : PATHS) {
      if (p.endsWith("/") ? path.startsWith(p) : path.equals(p)) return p;
    }
    return null;
  }

  /** Answers a request of {@code endpoint} (its body read): what the Agent answers when it forwarded it or has nothing. */
  void answer(Exchange ex, String endpoint) {
    counts.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
    switch (endpoint) {
      case "/v0.7/config": HttpIo.json(ex, 200, "{}"); return; // no new configurations for this client
      case "/v0.6/stats": case "/v0.1/pipeline_stats": HttpIo.text(ex, 200, "OK"); return;
      default: HttpIo.json(ex, 202, "{}"); // accepted, as the intakes the Agent forwards to answer
    }
  }

  /** Requests per endpoint so far. */
  Map<String, AtomicLong> counts() { return counts; }

  /** The hex SHA-256 of an {@code /info} body: the Agent's {@code Datadog-Agent-State}. */
  static String state(String infoJson) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(infoJson.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(64);
      for (byte b : h) sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JDK", e);
    }
  }
}
