package dev.ddsls.cli.diagnose;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Order;

/**
 * The real functions on a core shared with a CPU hog: the function's processes and the hog are held to the same core,
 * so the function cannot move to an idle one, and the same cause must come out on top. Beside the suite's other
 * classes, which the scheduler keeps mostly on the other cores and which make that core busier still when they come.
 */
@Order(1) // long and held to one core: started first, so the others fill the other cores around it
class RealFunctionsBesideAHogTest extends RealFunctionsDiagnosis {
  @Override Set<Condition> conditions() { return EnumSet.of(Condition.BESIDE_A_HOG); }
}
