package dev.ddsls.analysis.gate;

import dev.ddsls.analysis.stats.Bootstrap;
import dev.ddsls.analysis.stats.MannWhitney;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates gate rules on a candidate document, optionally against a baseline.
 *
 * <p>Thresholds compare the candidate's aggregated value with a number. Regressions are statistical: the ratio
 * statistic(candidate) / statistic(baseline) gets a percentile-bootstrap confidence interval and the samples a
 * two-sided Mann-Whitney U test; a regression fails only when the test is significant (p &lt; alpha) <em>and</em> the
 * interval's lower bound exceeds 1 + tolerance, i.e. the slow-down is larger than tolerated with the configured
 * confidence, not just on the point estimate. A claim without enough data is "insufficient data" and takes the
 * rule's level: it never passes.
 */
public final class Gate {
  private Gate() {}

  public static GateResult evaluate(GateConfig config, GateDocument candidate, GateDocument baseline) {
    validate(config, candidate, baseline);
    List<Outcome> out = new ArrayList<>();
    for (Threshold t : config.thresholds()) {
      if (t.level() == Level.OFF) continue;
      MetricCatalog.Definition def = MetricCatalog.find(candidate.schema(), t.metric());
      Aggregation agg = aggregation(def, t.aggregation(), t.text());
      Unit unit = def.unitOf(agg);
      double limit = unit.convert(t.number(), t.unit(), t.text());
      boolean any = false;
      for (GateDocument.Subject s : candidate.subjects()) {
        Metric m = s.metrics().get(t.metric());
        if (m == null) continue;
        any = true;
        GateDocument.Subject bs = baseline == null ? null : baseline.match(s);
        Metric bm = bs == null ? null : bs.metrics().get(t.metric());
        out.add(threshold(t, def, agg, unit, limit, s.name(), m, bm));
      }
      if (!any) out.add(missing(t.text(), Outcome.Kind.THRESHOLD, t.level(), unit, agg.samplesNeeded(), t.metric()));
    }
    for (Regression r : config.regressions()) {
      if (r.level() == Level.OFF) continue;
      boolean any = false;
      for (GateDocument.Subject s : candidate.subjects()) {
        Metric m = s.metrics().get(r.metric());
        if (m == null) continue;
        any = true;
        GateDocument.Subject bs = baseline.match(s);
        Metric bm = bs == null ? null : bs.metrics().get(r.metric());
        out.add(regression(r, config.settings(), s.name(), (Metric.Samples) m, (Metric.Samples) bm));
      }
      if (!any) out.add(missing(r.text(), Outcome.Kind.REGRESSION, r.level(), Unit.MS, r.samplesNeeded(), r.metric()));
    }
    return new GateResult(candidate.schema(), List.copyOf(out));
  }

  /** Rejects rules that cannot be evaluated on these documents, before any data is looked at. */
  public static void validate(GateConfig config, GateDocument candidate, GateDocument baseline) {
    if (config.thresholds().isEmpty() && config.regressions().isEmpty()) {
      throw new RuleException("no rules: give --threshold, --max-regression or --config");
    }
    if (baseline != null && !baseline.schema().equals(candidate.schema())) {
      throw new RuleException("baseline is " + baseline.schema() + " but results are " + candidate.schema());
    }
    for (Threshold t : config.thresholds()) {
      MetricCatalog.Definition def = MetricCatalog.find(candidate.schema(), t.metric());
      def.unitOf(aggregation(def, t.aggregation(), t.text())).convert(t.number(), t.unit(), t.text());
    }
    for (Regression r : config.regressions()) {
      MetricCatalog.Definition def = MetricCatalog.find(candidate.schema(), r.metric());
      if (def.shape() != MetricCatalog.Shape.SAMPLES) {
        throw new RuleException("'" + r.text() + "': a regression needs raw samples (" + MetricCatalog.COLDSTART
            + " results); " + r.metric() + " in " + candidate.schema() + " is a " + def.shape().name().toLowerCase());
      }
      if (baseline == null) throw new RuleException("'" + r.text() + "' needs --baseline");
    }
  }

  private static Aggregation aggregation(MetricCatalog.Definition def, Aggregation given, String rule) {
    Aggregation a = given == null ? def.defaultAggregation() : given;
    if (a == null) {
      throw new RuleException("'" + rule + "': " + def.name() + " needs an aggregation: " + def.aggregations());
    }
    if (!def.supports(a)) {
      throw new RuleException("'" + rule + "': " + def.name() + " supports " + def.aggregations() + ", not " + a.label());
    }
    return a;
  }

  private static Outcome threshold(Threshold t, MetricCatalog.Definition def, Aggregation agg, Unit unit,
                                   double limit, String subject, Metric m, Metric bm) {
    int needed = agg.samplesNeeded();
    double value = m.aggregate(agg);
    Double base = bm != null && bm.n() >= needed && !Double.isNaN(bm.aggregate(agg)) ? bm.aggregate(agg) : null;
    String what = def.name() + (agg.equals(def.defaultAggregation()) ? "" : " " + agg.label());
    if (m.n() < needed || Double.isNaN(value)) {
      String msg = "insufficient data: " + what + " needs at least " + needed + " " + observations(def)
          + ", has " + m.n();
      return new Outcome(t.text(), Outcome.Kind.THRESHOLD, t.level(), subject, what, verdictFor(t.level()), true, unit,
          base, null, null, null, null, null, needed, m.n(), msg, "");
    }
    boolean ok = Threshold.holds(value, t.operator(), limit);
    Double change = base != null && base != 0 ? value / base - 1 : null;
    String msg = what + " " + Format.value(value, unit) + (ok ? " " : " is not ") + t.operator() + " "
        + Format.value(limit, unit);
    return new Outcome(t.text(), Outcome.Kind.THRESHOLD, t.level(), subject, what,
        ok ? Outcome.Verdict.PASS : verdictFor(t.level()), false, unit, base, value, change, null, null, null,
        needed, m.n(), msg, "");
  }

  private static Outcome regression(Regression r, GateSettings settings, String subject, Metric.Samples c,
                                    Metric.Samples b) {
    int needed = r.samplesNeeded();
    String what = r.metric() + " " + r.aggregation().label();
    int have = Math.min(c.n(), b == null ? 0 : b.n());
    if (have < needed) {
      String msg = "insufficient data: regression test of " + what + " needs at least " + needed
          + " samples per side, has baseline " + (b == null ? 0 : b.n()) + ", candidate " + c.n();
      return new Outcome(r.text(), Outcome.Kind.REGRESSION, r.level(), subject, what, verdictFor(r.level()), true,
          Unit.MS, b == null || b.n() == 0 ? null : b.aggregate(r.aggregation()),
          c.n() == 0 ? null : c.aggregate(r.aggregation()), null, null, null, null, needed, have, msg, "");
    }
    Bootstrap.Statistic stat = r.aggregation().kind() == Aggregation.Kind.AVG
        ? Bootstrap.Statistic.mean() : Bootstrap.Statistic.quantile(r.aggregation().quantile());
    double base = b.aggregate(r.aggregation()), cand = c.aggregate(r.aggregation());
    if (!(base > 0)) throw new InputException("baseline " + what + " is " + base + " ms; a ratio needs a positive baseline");
    Bootstrap.Interval ci = Bootstrap.ratio(b.sorted(), c.sorted(), stat, settings.resamples(), settings.confidence(), settings.seed());
    MannWhitney.Result mw = MannWhitney.test(c.sorted(), b.sorted());
    boolean significant = mw.p() < settings.alpha();
    boolean beyond = ci.lower() > 1 + r.tolerance();
    boolean regressed = significant && beyond;
    String change = Format.percent(ci.estimate() - 1) + " (" + Math.round(settings.confidence() * 100) + "% CI "
        + Format.percent(ci.lower() - 1) + " .. " + Format.percent(ci.upper() - 1) + "), p=" + Format.p(mw.p());
    String why;
    if (regressed) why = "regression: slower than tolerated " + Format.percent(r.tolerance());
    else if (!significant) why = "no significant change (alpha " + settings.alpha() + ")";
    else if (ci.estimate() < 1) why = "significant improvement";
    else why = "within tolerated " + Format.percent(r.tolerance()) + " (CI lower bound not above it)";
    return new Outcome(r.text(), Outcome.Kind.REGRESSION, r.level(), subject, what,
        regressed ? verdictFor(r.level()) : Outcome.Verdict.PASS, false, Unit.MS, base, cand, ci.estimate() - 1,
        ci.lower() - 1, ci.upper() - 1, mw.p(), needed, have, what + " " + change + ": " + why, "");
  }

  private static Outcome missing(String rule, Outcome.Kind kind, Level level, Unit unit, int needed, String metric) {
    return new Outcome(rule, kind, level, "-", metric, verdictFor(level), true, unit, null, null, null, null, null, null,
        Math.max(1, needed), 0, "insufficient data: the document has no " + metric + " data", "");
  }

  private static String observations(MetricCatalog.Definition def) {
    switch (def.shape()) {
      case SAMPLES: case SUMMARY: return "samples";
      case RATIO: return "observations";
      default: return "value";
    }
  }

  private static Outcome.Verdict verdictFor(Level level) {
    return level == Level.ERROR ? Outcome.Verdict.FAIL : Outcome.Verdict.WARN;
  }
}
