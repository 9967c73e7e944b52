package dev.ddsls.agent.upload;

import dev.ddsls.agent.AgentConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The {@code tags_profiler} string of a profile event: comma-separated {@code key:value} tags. */
final class ProfilerTags {
  private ProfilerTags() {}

  /**
   * service, env, version, host, runtime-id, language, profiler_version, library_version, runtime_version, process_id,
   * functionname (in Lambda),
   * then DD_TAGS (never replacing the ones before), then {@code extra} (replacing anything: the agent knows best).
   */
  static String of(AgentConfig config, Map<String, String> extra) {
    Map<String, String> tags = new LinkedHashMap<>();
    put(tags, "service", config.service());
    put(tags, "env", config.env());
    put(tags, "version", config.version());
    put(tags, "host", host(config));
    put(tags, "runtime-id", config.runtimeId());
    put(tags, "language", "jvm");
    put(tags, "profiler_version", AgentIdentity.AGENT_VERSION);
    put(tags, "library_version", AgentIdentity.AGENT_VERSION);
    put(tags, "runtime_version", AgentIdentity.JAVA_VERSION);
    put(tags, "process_id", Long.toString(AgentIdentity.PID));
    if (config.functionName() != null) put(tags, "functionname", config.functionName().toLowerCase(Locale.ROOT));
    if (config.memorySizeMb() != null) put(tags, "memorysize", config.memorySizeMb());
    if (config.tags() != null) {
      for (Map.Entry<String, String> e : config.tags().entrySet()) {
        String k = clean(e.getKey());
        if (!k.isEmpty() && !tags.containsKey(k)) put(tags, k, e.getValue());
      }
    }
    if (extra != null) {
      for (Map.Entry<String, String> e : extra.entrySet()) put(tags, e.getKey(), e.getValue());
    }
    StringBuilder sb = new StringBuilder(256);
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (sb.length() > 0) sb.append(',');
      sb.append(e.getKey()).append(':').append(e.getValue());
    }
    return sb.toString();
  }

  /**
   * DD_HOSTNAME, else the HOSTNAME variable, else the kernel's host name (a file read; Lambda sets no HOSTNAME).
   * Never InetAddress.getLocalHost(): it could wait on DNS. In Lambda a host name means little (functionname and
   * runtime-id identify the sandbox), but Datadog's profile search expects the tag.
   */
  private static String host(AgentConfig config) {
    String h = config.raw("DD_HOSTNAME");
    if (h == null) h = config.raw("HOSTNAME");
    return h != null ? h : KERNEL_HOSTNAME;
  }

  private static final String KERNEL_HOSTNAME = kernelHostname();

  private static String kernelHostname() {
    try {
      String h = new String(Files.readAllBytes(Paths.get("/proc/sys/kernel/hostname")), StandardCharsets.UTF_8).trim();
      return h.isEmpty() || h.length() > 255 ? null : h;
    } catch (IOException | RuntimeException e) {
      return null; // not Linux, or no /proc
    }
  }

  private static void put(Map<String, String> tags, String key, String value) {
    if (key == null || value == null) return;
    String k = clean(key);
    String v = clean(value);
    if (!k.isEmpty() && !v.isEmpty()) tags.put(k, v);
  }

  /** Commas would split a tag and double quotes are stripped by Datadog's own uploader: neither survives. */
  private static String clean(String s) {
    if (s == null) return "";
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') continue;
      sb.append(c == ',' || c == '\n' || c == '\r' ? '_' : c);
    }
    return sb.toString().trim();
  }
}
