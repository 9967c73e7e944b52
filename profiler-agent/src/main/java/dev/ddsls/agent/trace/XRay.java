package dev.ddsls.agent.trace;

import dev.ddsls.api.internal.HeaderWriter;

/**
 * X-Ray trace headers ({@code Root=1-<8 hex secs>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>;...}) and their
 * conversion to Datadog ids and back, as Datadog's Lambda libraries and dd-trace-java's XRayHttpCodec do.
 */
final class XRay {
  /** dd-trace-java pads a 64-bit Datadog trace id into the 24 hex digits with this prefix. */
  static final String DD_PADDING = "00000000";

  final String root;
  final String parent;
  final String sampled;

  private XRay(String root, String parent, String sampled) {
    this.root = root;
    this.parent = parent;
    this.sampled = sampled;
  }

  /** Parses a header; null when Root or Parent is missing or malformed. Fields after Sampled are ignored. */
  static XRay parse(String header) {
    if (header == null || header.length() > 2048) return null;
    String root = null, parent = null, sampled = null;
    for (String part : header.split(";")) {
      int eq = part.indexOf('=');
      if (eq <= 0) continue;
      String k = part.substring(0, eq).trim(), v = part.substring(eq + 1).trim();
      if (k.equals("Root")) root = v;
      else if (k.equals("Parent")) parent = v;
      else if (k.equals("Sampled")) sampled = v;
    }
    if (root == null || parent == null || root.length() != 35 || !root.startsWith("1-") || root.charAt(10) != '-') return null;
    if (!hexOrZero(root.substring(2, 10)) || !hexOrZero(root.substring(11)) || HeaderExtractor.hex(parent, 16) == 0) return null;
    return new XRay(root, parent, sampled);
  }

  /** True when dd-trace-java wrote this header from a Datadog context ({@code 00000000} padding). */
  boolean fromDatadog() { return root.startsWith(DD_PADDING, 11); }

  /**
   * Datadog ids: trace = the last 16 hex digits masked to 63 bits (all 64 for dd-padded roots), parent = Parent,
   * priority = USER_KEEP (2) when Sampled=1 else USER_REJECT (-1).
   */
  TraceContext toDatadog() {
    long last16 = Long.parseUnsignedLong(root.substring(19), 16);
    long trace = fromDatadog() ? last16 : last16 & 0x7FFF_FFFF_FFFF_FFFFL;
    if (trace == 0) return null;
    return new TraceContext(trace, 0, Long.parseUnsignedLong(parent, 16), "1".equals(sampled) ? 2 : -1, null, "xray");
  }

  /** The X-Ray trace id ({@code 1-<8>-<24>}). */
  String traceId() { return root; }

  /** A header carrying a Datadog context, as dd-trace-java injects it: {@code Root=1-<secs>-00000000<trace>;Parent=<span>;Sampled=<0|1>}. */
  static String fromDatadog(long traceLow, long spanId, int priority, long epochSeconds) {
    String secs = Long.toHexString(epochSeconds & 0xFFFF_FFFFL);
    return "Root=1-" + "00000000".substring(secs.length()) + secs + "-" + DD_PADDING + HeaderWriter.hex16(traceLow)
        + ";Parent=" + HeaderWriter.hex16(spanId) + ";Sampled=" + (priority > 0 ? "1" : "0");
  }

  private static boolean hexOrZero(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
  }
}
