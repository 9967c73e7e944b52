package dev.ddsls.agent.trace;

import java.util.Locale;
import java.util.Map;

/**
 * Reads a context from carrier headers in the configured style order: Datadog ({@code x-datadog-*}) and W3C
 * ({@code traceparent}/{@code tracestate}). Names are case-insensitive. The first style that yields a valid
 * context wins; a malformed one is reported and the next style is tried.
 */
final class HeaderExtractor {
  /** Longest header value accepted; Datadog tracers cap {@code x-datadog-tags} at 512. */
  static final int MAX_VALUE = 512;

  private HeaderExtractor() {}

  static TraceContext extract(Map<String, ?> headers, String[] styles, ContextExtractor.Result r) {
    if (headers == null || headers.isEmpty()) return null;
    String ddTrace = null, ddParent = null, ddPriority = null, ddOrigin = null, ddTags = null, parent = null, state = null;
    for (Map.Entry<String, ?> e : headers.entrySet()) {
      Object raw = e.getValue();
      String v = raw instanceof String ? (String) raw : raw instanceof Number ? raw.toString() : null;
      if (v == null || e.getKey() == null) continue;
      switch (e.getKey().toLowerCase(Locale.ROOT)) {
        case "x-datadog-trace-id": ddTrace = v; break;
        case "x-datadog-parent-id": ddParent = v; break;
        case "x-datadog-sampling-priority": ddPriority = v; break;
        case "x-datadog-origin": ddOrigin = v; break;
        case "x-datadog-tags": ddTags = v; break;
        case "traceparent": parent = v; break;
        case "tracestate": state = v; break;
        default: break;
      }
    }
    for (String style : styles) {
      TraceContext c = null;
      if (style.equals(TraceSettings.DATADOG) && ddTrace != null) c = datadog(ddTrace, ddParent, ddPriority, ddOrigin, ddTags, r);
      else if (style.equals(TraceSettings.TRACECONTEXT) && parent != null) c = w3c(parent, state, r);
      if (c != null) return c;
    }
    return null;
  }

  static TraceContext datadog(String traceId, String parentId, String priority, String origin, String tags, ContextExtractor.Result r) {
    long trace = decimal(traceId);
    long parent = parentId == null ? 0 : decimal(parentId);
    if (trace == 0 || parent == 0) {
      r.error("malformed x-datadog-trace-id/parent-id: missing, zero or not a number");
      return null;
    }
    int prio = TraceContext.PRIORITY_UNSET;
    if (priority != null) {
      try {
        prio = Integer.parseInt(priority.trim());
      } catch (NumberFormatException e) {
        r.error("malformed x-datadog-sampling-priority");
      }
    }
    long high = 0;
    StringBuilder ptags = new StringBuilder();
    if (tags != null) {
      if (tags.length() > MAX_VALUE) {
        r.error("extract_max_size");
      } else {
        for (String kv : tags.split(",")) {
          String t = kv.trim();
          if (t.startsWith("_dd.p.tid=")) {
            high = hex(t.substring(10), 16);
            if (high == 0) r.error("malformed_tid " + t.substring(10));
          } else if (t.startsWith("_dd.p.") && t.indexOf('=') > 6) {
            ptags.append(ptags.length() == 0 ? "" : ",").append(t);
          }
        }
      }
    }
    if (origin != null && origin.length() > MAX_VALUE) origin = null;
    return new TraceContext(trace, high, parent, prio, origin, TraceSettings.DATADOG, ptags.length() == 0 ? null : ptags.toString());
  }

  /** {@code 00-<32 hex trace>-<16 hex parent>-<2 hex flags>}; tracestate's {@code dd=} member adds priority, origin, tags. */
  static TraceContext w3c(String traceparent, String tracestate, ContextExtractor.Result r) {
    String p = traceparent.trim();
    String[] parts = p.split("-");
    if (p.length() > MAX_VALUE || parts.length < 4 || parts[0].length() != 2 || parts[1].length() != 32 || parts[2].length() != 16
        || parts[3].length() != 2 || parts[0].equals("ff") || (parts[0].equals("00") && parts.length != 4) || !lowerHex(p.replace("-", ""))) {
      r.error("malformed traceparent");
      return null;
    }
    long high = hex(parts[1].substring(0, 16), 16), low = hex(parts[1].substring(16), 16), span = hex(parts[2], 16);
    int flags = (int) hex(parts[3], 2);
    if ((high == 0 && low == 0) || span == 0) {
      r.error("malformed traceparent: zero trace or parent id");
      return null;
    }
    boolean sampled = (flags & 1) != 0;
    int prio = sampled ? 1 : 0;
    String origin = null;
    StringBuilder ptags = new StringBuilder();
    String dd = ddMember(tracestate);
    if (dd != null) {
      for (String field : dd.split(";")) {
        int colon = field.indexOf(':');
        if (colon <= 0) continue;
        String k = field.substring(0, colon), v = field.substring(colon + 1);
        if (k.equals("s")) {
          try {
            int s = Integer.parseInt(v);
            // The sampled flag wins when the two disagree, as dd-trace-java does.
            if ((s > 0) == sampled) prio = s;
          } catch (NumberFormatException ignored) {
            // keep the flag's priority
          }
        } else if (k.equals("o")) {
          origin = v.replace('~', '=');
        } else if (k.startsWith("t.") && !k.equals("t.tid")) {
          ptags.append(ptags.length() == 0 ? "" : ",").append("_dd.p.").append(k.substring(2)).append('=').append(v.replace('~', '='));
        }
      }
    }
    return new TraceContext(low, high, span, prio, origin, TraceSettings.TRACECONTEXT, ptags.length() == 0 ? null : ptags.toString());
  }

  private static String ddMember(String tracestate) {
    if (tracestate == null || tracestate.length() > 4096) return null;
    for (String member : tracestate.split(",")) {
      String m = member.trim();
      if (m.startsWith("dd=")) return m.substring(3);
    }
    return null;
  }

  /** Unsigned 64-bit decimal; 0 for anything else (including overlong or signed input). */
  static long decimal(String s) {
    String t = s.trim();
    if (t.isEmpty() || t.length() > 20 || t.charAt(0) == '-' || t.charAt(0) == '+') return 0;
    try {
      return Long.parseUnsignedLong(t);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Exactly {@code digits} hex digits, unsigned; 0 when malformed. */
  static long hex(String s, int digits) {
    if (s.length() != digits || !lowerOrUpperHex(s)) return 0;
    return Long.parseUnsignedLong(s, 16);
  }

  private static boolean lowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  private static boolean lowerOrUpperHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
  }
}
