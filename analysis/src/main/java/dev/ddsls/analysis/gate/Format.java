package dev.ddsls.analysis.gate;

import java.util.Locale;

/** Number formatting shared by the gate's renderers (always Locale.ROOT: CI logs must not depend on the runner). */
final class Format {
  private Format() {}

  static String value(Double v, Unit unit) {
    if (v == null || v.isNaN()) return "-";
    switch (unit) {
      case MS: return number(v) + " ms";
      case RATIO: return String.format(Locale.ROOT, "%.4g", v);
      default: return number(v);
    }
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3g", v);
  }

  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%+.1f%%", fraction * 100);
  }

  static String p(double p) {
    return p < 0.0001 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
  }

  /** The change column: "+12.3%" or, for regressions, "+12.3% [+5.0%, +20.1%]". */
  static String change(Outcome o) {
    if (o.change() == null) return "-";
    if (o.changeLower() == null) return percent(o.change());
    return percent(o.change()) + " [" + percent(o.changeLower()) + ", " + percent(o.changeUpper()) + "]";
  }
}
