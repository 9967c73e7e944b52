package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The tracing settings read once at start, from Datadog's variable names. */
public final class TraceSettings {
  static final String DATADOG = "datadog";
  static final String TRACECONTEXT = "tracecontext";

  /** {@code DD_TRACE_PROPAGATION_STYLE_EXTRACT} (else {@code DD_TRACE_PROPAGATION_STYLE}): styles in order. */
  final String[] extractStyles;
  final boolean mergeXray;
  final boolean managedServices;
  final boolean logsInjection;
  final boolean traceEnabled;
  final String service;
  final String env;
  final String version;
  /** {@code DD_TRACE_EXTRACTOR}: {@code com.example.Extractors::method}, or null. */
  final CustomExtractor customExtractor;
  /** The region of the function ({@code AWS_REGION}), for ARNs stitched from events. */
  final String region;

  public TraceSettings(String[] extractStyles, boolean mergeXray, boolean managedServices, boolean logsInjection,
                       boolean traceEnabled, String service, String env, String version, CustomExtractor customExtractor,
                       String region) {
    this.extractStyles = extractStyles;
    this.mergeXray = mergeXray;
    this.managedServices = managedServices;
    this.logsInjection = logsInjection;
    this.traceEnabled = traceEnabled;
    this.service = service;
    this.env = env;
    this.version = version;
    this.customExtractor = customExtractor;
    this.region = region;
  }

  /** Defaults for tests and host mode: {@code datadog,tracecontext}, no merge, inferred spans on. */
  public static TraceSettings defaults() {
    return new TraceSettings(new String[] {DATADOG, TRACECONTEXT}, false, true, false, true, "svc", null, null, null, "us-east-1");
  }

  /**
   * Call on the thread that runs premain: it is the Lambda runtime's main thread, whose context class loader the
   * runtime later sets to the loader of the function's code; {@link CustomExtractor} loads the user's class there.
   */
  public static TraceSettings from(AgentConfig config) {
    String styles = config.raw("DD_TRACE_PROPAGATION_STYLE_EXTRACT");
    if (styles == null) styles = config.raw("DD_TRACE_PROPAGATION_STYLE");
    String extractor = config.raw("DD_TRACE_EXTRACTOR");
    return new TraceSettings(parseStyles(styles), flag(config, "DD_MERGE_XRAY_TRACES", false),
        flag(config, "DD_TRACE_MANAGED_SERVICES", true), flag(config, "DD_LOGS_INJECTION", false), config.traceEnabled(),
        config.service(), config.env(), config.version(),
        extractor == null ? null : new CustomExtractor(extractor, Thread.currentThread()), config.raw("AWS_REGION"));
  }

  /** Comma or space separated; known: datadog, tracecontext (b3 and others are not extracted; none = nothing). */
  static String[] parseStyles(String s) {
    if (s == null) return new String[] {DATADOG, TRACECONTEXT};
    List<String> out = new ArrayList<>();
    for (String part : s.toLowerCase(Locale.ROOT).split("[,\\s]+")) {
      if (part.isEmpty()) continue;
      if (part.equals(DATADOG) || part.equals(TRACECONTEXT)) {
        if (!out.contains(part)) out.add(part);
      } else if (!part.equals("none")) {
        AgentLog.once("style:" + part, "propagation style '" + part + "' is not supported by ddsls; ignored");
      }
    }
    return out.toArray(new String[0]);
  }

  private static boolean flag(AgentConfig config, String name, boolean dflt) {
    String v = config.raw(name);
    if (v == null) return dflt;
    String l = v.toLowerCase(Locale.ROOT);
    if (l.equals("true") || l.equals("1")) return true;
    if (l.equals("false") || l.equals("0")) return false;
    AgentLog.once("flag:" + name, name + "='" + v + "' is not true or false; using " + dflt);
    return dflt;
  }
}
