package dev.ddsls.cli.diagnose;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The real functions on a whole core and at Lambda's 512 MB CPU share. These run beside the suite's other classes and
 * beside each other: a diagnosis that held only on an idle machine would be no diagnosis (the hog is harsher still),
 * and a function held to its CPU share leaves the machine's CPU to others while it waits for its quota.
 */
@Execution(ExecutionMode.CONCURRENT)
class RealFunctionsDiagnoseTest extends RealFunctionsDiagnosis {
  @Override Set<Condition> conditions() { return EnumSet.of(Condition.CORE, Condition.SHARE_512); }
}
