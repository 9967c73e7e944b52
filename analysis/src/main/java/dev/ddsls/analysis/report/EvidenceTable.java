package dev.ddsls.analysis.report;

import static dev.ddsls.analysis.report.FlameGraph.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A finding's evidence as HTML tables rather than raw JSON: one row per field; a list of records (frames, waits,
 * components) as a nested table with a column per field; a list of plain values (span and profile ids) inline, the
 * long ones folded into a {@code <details>}. Numbers print with one decimal, as in the text report.
 */
final class EvidenceTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int INLINE_VALUES = 6;
  private static final Set<String> RAW_SUMS = Set.of("selfValue", "totalValue");

  private EvidenceTable() {}

  static void write(StringBuilder b, Map<String, Object> evidence) {
    object(b, JSON.valueToTree(evidence), "evidence");
  }

  private static void object(StringBuilder b, JsonNode o, String cls) {
    b.append("<table class=\"").append(cls).append("\">\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      b.append("<tr data-key=\"").append(esc(e.getKey())).append("\"><th>").append(esc(e.getKey())).append("</th><td>");
      value(b, e.getValue());
      b.append("</td></tr>\n");
    }
    b.append("</table>");
  }

  private static void value(StringBuilder b, JsonNode v) {
    if (v == null || v.isNull()) {
      b.append("-");
    } else if (v.isObject()) {
      object(b, v, "nested");
    } else if (v.isArray() && v.size() > 0 && allObjects(v)) {
      records(b, v);
    } else if (v.isArray()) {
      values(b, v);
    } else {
      b.append(scalar(v));
    }
  }

  private static boolean allObjects(JsonNode a) {
    for (JsonNode e : a) if (!e.isObject()) return false;
    return true;
  }

  private static void records(StringBuilder b, JsonNode a) {
    Set<String> columns = new LinkedHashSet<>();
    for (JsonNode e : a) e.fieldNames().forEachRemaining(columns::add);
    // Frame statistics carry raw sums over all cold starts in the profile's unit (ns); their percentages say the same.
    columns.removeAll(RAW_SUMS);
    b.append("<table class=\"nested\"><tr>");
    for (String c : columns) b.append("<th>").append(esc(c)).append("</th>");
    b.append("</tr>\n");
    for (JsonNode e : a) {
      b.append("<tr>");
      for (String c : columns) {
        b.append("<td>");
        value(b, e.get(c));
        b.append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>");
  }

  private static void values(StringBuilder b, JsonNode a) {
    if (a.size() == 0) {
      b.append("(none)");
      return;
    }
    StringBuilder all = new StringBuilder();
    for (JsonNode e : a) all.append(all.length() == 0 ? "" : ", ").append(scalar(e));
    if (a.size() <= INLINE_VALUES) b.append(all);
    else b.append("<details><summary>").append(a.size()).append(" values</summary>").append(all).append("</details>");
  }

  private static String scalar(JsonNode v) {
    if (v.isFloatingPointNumber()) return String.format(Locale.ROOT, "%,.1f", v.asDouble());
    if (v.isNumber()) return v.asText();
    String s = v.asText();
    return looksLikeFrame(s) ? "<code>" + esc(s) + "</code>" : esc(s);
  }

  /** Frame and class names read better in a fixed font; prose (titles, kinds) does not. */
  private static boolean looksLikeFrame(String s) { return !s.contains(" ") && (s.contains(".") || s.contains("::")); }
}
