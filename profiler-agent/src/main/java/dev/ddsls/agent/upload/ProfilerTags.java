package dev.ddsls.agent.upload;

import dev.ddsls.agent.AgentConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The {@code tags_profiler} string of a profile event: comma-separated {@code key:value} tags. */
final class ProfilerTags {
  private ProfilerTags() {}

  /**
   * service, env, version, host, runtime-id, language, profiler_version, process_id, functionname (in Lambda),
   * then DD_TAGS (never replacing the ones before), then {@code extra} (replacing anything: the agent knows best).
   */
  static String of(AgentConfig config, Map<String, String> extra) {
    Map<String, String> tags = new LinkedHashMap<>();
    put(tags, "service", config.service());
    put(tags, "env", config.env());
    put(tags, "version", config.version());
    put(tags, "host", host(config));
    put(tags, "runtime-id", AgentIdentity.RUNTIME_ID);
    put(tags, "language", "jvm");
    put(tags, "profiler_version", AgentIdentity.AGENT_VERSION);
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
   * DD_HOSTNAME, else the HOSTNAME variable; nothing else. InetAddress.getLocalHost() could wait on DNS, and in
   * Lambda a host name means little: functionname and runtime-id identify the sandbox.
   */
  private static String host(AgentConfig config) {
    String h = config.raw("DD_HOSTNAME");
    return h != null ? h : config.raw("HOSTNAME");
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
