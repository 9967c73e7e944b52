package dev.ddsls.cli.diagnose;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Order;

/**
 * The real functions at Lambda's 512 MB CPU share, beside the suite's other classes. A class of its own, so that it
 * runs beside {@link RealFunctionsOnACoreTest}: a function held to its share leaves the machine's CPU to others while
 * it waits for its quota, and the two together were the suite's longest path when one class ran them in turn.
 */
@Order(1) // the longest of the classes that run beside others: started first, so the others fill the cores around it
class RealFunctionsAtLambdasShareTest extends RealFunctionsDiagnosis {
  @Override Set<Condition> conditions() { return EnumSet.of(Condition.SHARE_512); }
}
