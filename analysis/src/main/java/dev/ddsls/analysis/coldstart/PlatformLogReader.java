package dev.ddsls.analysis.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lambda's own init and invocation reports, from CloudWatch text log lines ({@code REPORT RequestId: ...
 * Init Duration: 812.34 ms}, {@code INIT_REPORT Init Duration: ... Phase: init Status: error}), JSON-format logs and
 * Telemetry API events ({@code {"type":"platform.report","record":{...}}}), and CloudWatch exports
 * ({@code {"events":[{"message":...}]}}). Lines that are neither are skipped: logs hold the function's own output too.
 */
public final class PlatformLogReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REQUEST = Pattern.compile("RequestId:\\s*([0-9A-Za-z-]+)");
  private static final Pattern DURATION = Pattern.compile("(?<!Billed |Init |Restore )Duration:\\s*([0-9.]+)\\s*ms");
  private static final Pattern INIT = Pattern.compile("Init Duration:\\s*([0-9.]+)\\s*ms");
  private static final Pattern RESTORE = Pattern.compile("(?<!Billed )Restore Duration:\\s*([0-9.]+)\\s*ms");
  private static final Pattern MEMORY = Pattern.compile("Memory Size:\\s*([0-9]+)\\s*MB");
  private static final Pattern STATUS = Pattern.compile("Status:\\s*([a-z]+)");

  private PlatformLogReader() {}

  /** Whether a line is one of Lambda's platform records (cheap test used to recognise log files). */
  public static boolean isPlatformLine(String line) {
    String t = line.strip();
    return t.startsWith("REPORT RequestId:") || t.startsWith("INIT_REPORT") || t.startsWith("RESTORE_REPORT")
        || (t.startsWith("{") && t.contains("\"platform."));
  }

  public static List<PlatformReport> read(BufferedReader in, String source) throws IOException {
    List<PlatformReport> out = new ArrayList<>();
    String first = null;
    StringBuilder whole = null;
    for (String line; (line = in.readLine()) != null; ) {
      if (first == null && !line.isBlank()) {
        first = line;
        if (line.strip().startsWith("{") && !line.contains("\"platform.")) whole = new StringBuilder();
      }
      if (whole != null) {
        whole.append(line).append('\n');
        continue;
      }
      PlatformReport r = parseLine(line, source);
      if (r != null) out.add(r);
    }
    if (whole != null) { // a CloudWatch export document
      JsonNode doc;
      try {
        doc = JSON.readTree(whole.toString());
      } catch (IOException e) {
        throw new IOException(source + ": truncated or invalid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
      for (JsonNode e : doc.path("events")) {
        PlatformReport r = parseLine(e.path("message").asText(""), source);
        if (r != null) out.add(r);
      }
    }
    return out;
  }

  /** One log line as a report, or null when it is not one. */
  public static PlatformReport parseLine(String line, String source) {
    String t = line.strip();
    if (t.startsWith("{")) return parseEvent(t, source);
    if (t.startsWith("REPORT RequestId:")) {
      return new PlatformReport(group(REQUEST, t), number(DURATION, t), number(INIT, t), number(RESTORE, t),
          integer(MEMORY, t), number(RESTORE, t) != null ? "snap-start" : number(INIT, t) != null ? "on-demand" : null, null, source);
    }
    if (t.startsWith("RESTORE_REPORT")) {
      return new PlatformReport(null, null, null, number(RESTORE, t), null, "snap-start", group(STATUS, t), source);
    }
    if (t.startsWith("INIT_REPORT")) {
      return new PlatformReport(null, null, number(INIT, t), null, null, "on-demand", group(STATUS, t), source);
    }
    return null;
  }

  private static PlatformReport parseEvent(String json, String source) {
    if (!json.contains("\"platform.")) return null;
    JsonNode e;
    try {
      e = JSON.readTree(json);
    } catch (IOException ex) {
      return null; // a function's own JSON log line that merely mentions platform.
    }
    String type = e.path("type").asText();
    JsonNode r = e.path("record");
    JsonNode m = r.path("metrics");
    switch (type) {
      case "platform.report":
        return new PlatformReport(r.path("requestId").asText(null), num(m, "durationMs"), num(m, "initDurationMs"),
            num(m, "restoreDurationMs"), m.hasNonNull("memorySizeMB") ? m.get("memorySizeMB").asInt() : null,
            num(m, "restoreDurationMs") != null ? "snap-start" : num(m, "initDurationMs") != null ? "on-demand" : null,
            r.path("status").asText(null), source);
      case "platform.initReport":
        return new PlatformReport(null, null, num(m, "durationMs"), null, null, r.path("initializationType").asText("on-demand"),
            r.path("status").asText(null), source);
      case "platform.restoreReport":
        return new PlatformReport(null, null, null, num(m, "durationMs"), null, "snap-start", r.path("status").asText(null), source);
      default:
        return null;
    }
  }

  private static Double num(JsonNode m, String field) { return m.hasNonNull(field) ? m.get(field).asDouble() : null; }

  private static String group(Pattern p, String s) {
    Matcher m = p.matcher(s);
    return m.find() ? m.group(1) : null;
  }

  private static Double number(Pattern p, String s) {
    String g = group(p, s);
    return g == null ? null : Double.valueOf(g);
  }

  private static Integer integer(Pattern p, String s) {
    String g = group(p, s);
    return g == null ? null : Integer.valueOf(g);
  }
}
