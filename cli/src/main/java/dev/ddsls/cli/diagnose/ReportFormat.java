package dev.ddsls.cli.diagnose;

import dev.ddsls.analysis.report.DiagnoseReport;
import dev.ddsls.analysis.report.HtmlReport;
import dev.ddsls.analysis.report.JsonReport;
import dev.ddsls.analysis.report.MarkdownReport;
import dev.ddsls.analysis.report.TextReport;
import java.io.IOException;
import java.io.PrintWriter;

/** {@code diagnose --format} (and {@code demo --format}): the report's renderer. Lower case: the names users type. */
public enum ReportFormat {
  text, json, markdown, html;

  /** @param color ANSI colours in text (a terminal, NO_COLOR unset) */
  void write(DiagnoseReport report, PrintWriter out, boolean color) throws IOException {
    switch (this) {
      case html -> HtmlReport.write(report, out);
      case json -> {
        JsonReport.write(report, out);
        out.println();
      }
      case markdown -> MarkdownReport.write(report, out);
      case text -> TextReport.write(report, out, color);
    }
  }
}
