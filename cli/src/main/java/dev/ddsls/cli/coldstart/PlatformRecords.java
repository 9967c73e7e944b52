package dev.ddsls.cli.coldstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What Lambda's Telemetry API would have sent about one run, one event a line ({@code run-N/platform.jsonl}), shaped as
 * its Event schema: {@code platform.initStart}, {@code platform.initRuntimeDone}, {@code platform.initReport}; for
 * SnapStart {@code platform.restoreStart}, {@code platform.restoreRuntimeDone}, {@code platform.restoreReport}; then per
 * invocation {@code platform.start}, {@code platform.runtimeDone}, {@code platform.report} (its metrics carry the
 * {@code REPORT} line's figures: {@code initDurationMs} on an on-demand cold start, {@code restoreDurationMs} on the
 * first invocation after a restore, as Lambda's {@code Restore Duration}). {@code ddsls diagnose} reads the file as
 * platform reports. Times are the emulator's, mapped to the wall clock from the process start.
 */
final class PlatformRecords {
  static final String FILE = "platform.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Instant launched;
  private final long startNanos;
  private final String functionName;
  private final String functionVersion;
  private final List<String> lines = new ArrayList<>();
  private final List<ObjectNode> events = new ArrayList<>();

  PlatformRecords(Instant launched, long startNanos, String functionName, String functionVersion) {
    this.launched = launched;
    this.startNanos = startNanos;
    this.functionName = functionName;
    this.functionVersion = functionVersion;
  }

  /** The init phase (the snapshot's init under SnapStart): start, end and report; status success, error or timeout. */
  void init(String initializationType, Long endNanos, String status, String errorType) {
    ObjectNode start = record("platform.initStart", startNanos);
    start.put("initializationType", initializationType);
    start.put("phase", "init");
    start.put("functionName", functionName);
    start.put("functionVersion", functionVersion);
    add(start);
    long end = endNanos != null ? endNanos : System.nanoTime();
    ObjectNode done = record("platform.initRuntimeDone", end);
    done.put("initializationType", initializationType);
    done.put("phase", "init");
    done.put("status", status);
    if (errorType != null) done.put("errorType", errorType);
    add(done);
    ObjectNode report = record("platform.initReport", end);
    report.put("initializationType", initializationType);
    report.put("phase", "init");
    report.put("status", status);
    if (errorType != null) report.put("errorType", errorType);
    report.putObject("metrics").put("durationMs", ColdstartRun.micros(end - startNanos));
    add(report);
  }

  /** SnapStart's restore: from the answer to {@code /restore/next} to the first {@code /next} (or the error). */
  void restore(long startNanos, Long endNanos, String status, String errorType) {
    ObjectNode start = record("platform.restoreStart", startNanos);
    start.put("functionName", functionName);
    start.put("functionVersion", functionVersion);
    add(start);
    long end = endNanos != null ? endNanos : System.nanoTime();
    ObjectNode done = record("platform.restoreRuntimeDone", end);
    done.put("status", status);
    if (errorType != null) done.put("errorType", errorType);
    add(done);
    ObjectNode report = record("platform.restoreReport", end);
    report.put("status", status);
    if (errorType != null) report.put("errorType", errorType);
    report.putObject("metrics").put("durationMs", ColdstartRun.micros(end - startNanos));
    add(report);
  }

  /**
   * One answered invocation: {@code durationMs} is Lambda's Duration (to the last ask for the next event, or to the
   * answer when the asks never came); {@code initMs}/{@code restoreMs} are set on the cold start's invocation only.
   */
  void invocation(Invocation inv, long handedOut, long answered, Double durationMs, String errorType, boolean error, int memoryMb,
                  Double initMs, Double restoreMs) {
    ObjectNode start = record("platform.start", handedOut);
    start.put("requestId", inv.requestId);
    start.put("version", functionVersion);
    tracing(start, inv);
    add(start);
    String status = error ? "error" : "success";
    ObjectNode done = record("platform.runtimeDone", answered);
    done.put("requestId", inv.requestId);
    done.put("status", status);
    if (error && errorType != null) done.put("errorType", errorType);
    done.putObject("metrics").put("durationMs", ColdstartRun.micros(answered - handedOut));
    tracing(done, inv);
    add(done);
    double duration = durationMs != null ? durationMs : ColdstartRun.micros(answered - handedOut);
    ObjectNode report = record("platform.report", handedOut + Math.round(duration * 1e6));
    report.put("requestId", inv.requestId);
    report.put("status", status);
    if (error && errorType != null) report.put("errorType", errorType);
    ObjectNode m = report.putObject("metrics");
    m.put("durationMs", duration);
    m.put("billedDurationMs", (long) Math.ceil(duration));
    m.put("memorySizeMB", memoryMb);
    if (initMs != null) m.put("initDurationMs", initMs);
    if (restoreMs != null) m.put("restoreDurationMs", restoreMs);
    tracing(report, inv);
    add(report);
  }

  void write(Path runDir) throws IOException {
    Files.writeString(runDir.resolve(FILE), lines.isEmpty() ? "" : String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private static void tracing(ObjectNode record, Invocation inv) {
    ObjectNode t = record.putObject("tracing");
    t.put("type", "X-Amzn-Trace-Id");
    t.put("value", inv.traceHeader);
  }

  /** A new event of {@code type} at {@code nanos}, added to the lines once {@link #add} is called with its record. */
  private ObjectNode record(String type, long nanos) {
    ObjectNode e = JSON.createObjectNode();
    e.put("time", launched.plusNanos(nanos - startNanos).toString());
    e.put("type", type);
    ObjectNode record = e.putObject("record");
    events.add(e);
    return record;
  }

  /** Writes the event whose record this is (the last one made: records are filled one at a time). */
  private void add(ObjectNode record) {
    ObjectNode e = events.remove(events.size() - 1);
    if (e.get("record") != record) throw new IllegalStateException("records are added in the order they are made");
    lines.add(e.toString());
  }
}
