package dev.ddsls.analysis.report;

import dev.ddsls.analysis.coldstart.ColdStartReport;
import dev.ddsls.analysis.connectivity.ConnectivityReport;
import dev.ddsls.analysis.service.ServiceReport;
import java.time.Instant;
import java.util.List;

/**
 * Everything {@code ddsls diagnose} found: one cold-start report per function, one report per service without Lambda's
 * tags (hosts, containers) and the trace-connectivity report (null when there were no invocation spans).
 * {@code from}/{@code to} may be null (whole input).
 */
public record DiagnoseReport(String source, Instant from, Instant to, List<ColdStartReport> functions,
                             List<ServiceReport> services, ConnectivityReport connectivity, List<String> notes, Inputs inputs) {
  public static final String SCHEMA = "ddsls.diagnose/v1";

  /** How much input the report rests on. */
  public record Inputs(long spans, long profiles, long platformReports, long xraySegments) {}
}
