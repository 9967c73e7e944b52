package dev.ddsls.cli.diagnose;

import java.util.EnumSet;
import java.util.Set;

/**
 * The real functions on a whole core, beside the suite's other classes: a diagnosis that held only on an idle machine
 * would be no diagnosis (the hog is harsher still).
 */
class RealFunctionsOnACoreTest extends RealFunctionsDiagnosis {
  @Override Set<Condition> conditions() { return EnumSet.of(Condition.CORE); }
}
