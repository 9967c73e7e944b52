package dev.ddsls.cli.diagnose;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Order;

/**
 * The real functions on a whole core, beside the suite's other classes: a diagnosis that held only on an idle machine
 * would be no diagnosis (the hog is harsher still).
 */
@Order(1) // the longest of the classes that run beside others: started first, so the others fill the cores around it
class RealFunctionsOnACoreTest extends RealFunctionsDiagnosis {
  @Override Set<Condition> conditions() { return EnumSet.of(Condition.CORE); }
}
