package dev.ddsls.cli.diagnose;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.parallel.Isolated;

/** The real functions beside a CPU hog on every core: the same cause must come out on top, and nothing else may run. */
@Isolated("its CPU hog takes every core: the classes beside it would be measured under it")
class RealFunctionsBesideAHogTest extends RealFunctionsDiagnosis {
  @Override Set<Condition> conditions() { return EnumSet.of(Condition.BESIDE_A_HOG); }
}
