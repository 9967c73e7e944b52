package dev.ddsls.api.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a span's context as Datadog ({@code x-datadog-*}) and W3C ({@code traceparent}, {@code tracestate} with
 * its {@code dd=} member) headers, the way dd-trace-java's DatadogHttpCodec and W3CHttpCodec do.
 */
public final class HeaderWriter {
  private static final int MAX_DD_MEMBER = 256;

  private HeaderWriter() {}

  public static Map<String, String> headers(long traceLow, long traceHigh, long spanId, int priority, String origin, String ptags) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("x-datadog-trace-id", Long.toUnsignedString(traceLow));
    h.put("x-datadog-parent-id", Long.toUnsignedString(spanId));
    h.put("x-datadog-sampling-priority", Integer.toString(priority));
    if (origin != null) h.put("x-datadog-origin", origin);
    StringBuilder tags = new StringBuilder();
    if (traceHigh != 0) tags.append("_dd.p.tid=").append(hex16(traceHigh));
    if (ptags != null && !ptags.isEmpty()) tags.append(tags.length() == 0 ? "" : ",").append(ptags);
    if (tags.length() > 0) h.put("x-datadog-tags", tags.toString());
    h.put("traceparent", "00-" + hex16(traceHigh) + hex16(traceLow) + "-" + hex16(spanId) + (priority > 0 ? "-01" : "-00"));
    h.put("tracestate", ddMember(spanId, priority, origin, ptags));
    return h;
  }

  /** The {@code _datadog} carrier: the same headers as one JSON object. */
  public static String json(Map<String, String> headers) {
    StringBuilder b = new StringBuilder(256).append('{');
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (b.length() > 1) b.append(',');
      quote(b, e.getKey());
      b.append(':');
      quote(b, e.getValue());
    }
    return b.append('}').toString();
  }

  /** {@code dd=s:<priority>;o:<origin>;p:<span hex>;t.<k>:<v>}: {@code _dd.p.k} becomes {@code t.k}; tid rides in traceparent. */
  static String ddMember(long spanId, int priority, String origin, String ptags) {
    StringBuilder b = new StringBuilder("dd=s:").append(priority);
    if (origin != null) b.append(";o:").append(clean(origin, true));
    b.append(";p:").append(hex16(spanId));
    if (ptags != null) {
      for (String kv : ptags.split(",")) {
        int eq = kv.indexOf('=');
        if (!kv.startsWith("_dd.p.") || eq < 0 || kv.startsWith("_dd.p.tid=")) continue;
        String member = ";t." + clean(kv.substring(6, eq), false) + ":" + clean(kv.substring(eq + 1), true);
        if (b.length() + member.length() > MAX_DD_MEMBER) break;
        b.append(member);
      }
    }
    return b.toString();
  }

  /** Values: {@code =} becomes {@code ~}; {@code , ; ~} and anything outside 0x20-0x7E become {@code _}. */
  private static String clean(String s, boolean value) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (value && c == '=') b.append('~');
      else if (c < 0x20 || c > 0x7E || c == ',' || c == ';' || c == '~' || c == '=' || (!value && (c == ' ' || c == ':'))) b.append('_');
      else b.append(c);
    }
    return b.toString();
  }

  public static String hex16(long v) {
    String h = Long.toHexString(v);
    return "0000000000000000".substring(h.length()) + h;
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    b.append('"');
  }
}
