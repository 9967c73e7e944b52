package dev.ddsls.formats.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The period notations recordings use: the JDK's timespans, and ddprof's and async-profiler's nanoseconds. */
class SamplePeriodsTest {
  @Test void timespansAndNanoseconds() {
    assertEquals(9_000_000, SamplePeriods.nanos("9 ms"));
    assertEquals(20_000_000, SamplePeriods.nanos("20 ms"));
    assertEquals(1_000_000_000, SamplePeriods.nanos("1 s"));
    assertEquals(500_000, SamplePeriods.nanos("500 us"));
    assertEquals(10_000_000, SamplePeriods.nanos("10000000"));
    assertEquals(0, SamplePeriods.nanos("everyChunk"));
    assertEquals(0, SamplePeriods.nanos("10 parsecs"));
  }

  @Test void onlyPeriodAndIntervalSettingsCountAndTheLastOneHolds() {
    SamplePeriods p = new SamplePeriods();
    p.setting("jdk.ExecutionSample", "period", "20 ms");
    p.setting("jdk.ExecutionSample", "threshold", "5 ms");
    assertEquals(20_000_000, p.of("jdk.ExecutionSample"));
    p.setting("jdk.ExecutionSample", "period", "9 ms");
    p.setting("datadog.MethodSample", "interval", "50000000");
    assertEquals(9_000_000, p.of("jdk.ExecutionSample"));
    assertEquals(50_000_000, p.of("datadog.MethodSample"));
    assertEquals(0, p.of("profiler.WallClockSample"), "not stated");
  }
}
