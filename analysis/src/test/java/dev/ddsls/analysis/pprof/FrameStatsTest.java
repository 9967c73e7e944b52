package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameStatsTest {
  private static ProfileSample sample(long cpu, String... stackLeafFirst) {
    return new ProfileSample(List.of(stackLeafFirst), new long[stackLeafFirst.length], new long[] {1, cpu},
        Map.of(), Map.of());
  }

  private static Profile profile(ProfileSample... samples) {
    return new Profile(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
        new ValueType("cpu", "nanoseconds"), 10, 0, 0, List.of(), List.of(samples));
  }

  private static List<String> render(List<FrameStat> stats) {
    List<String> out = new ArrayList<>();
    for (FrameStat s : stats) {
      out.add(String.format("%s self=%d total=%d %.1f%% %.1f%%", s.frame(), s.selfValue(), s.totalValue(),
          s.selfPct(), s.totalPct()));
    }
    return out;
  }

  private final Profile profile = profile(
      sample(40, "app.Rules.match", "app.Rules.match", "app.Rules.match", "app.Handler.handle"), // recursion
      sample(30, "com.fasterxml.jackson.databind.deser.BeanDeserializer.deserialize",
          "com.fasterxml.jackson.databind.ObjectMapper.readValue", "app.Handler.handle"),
      sample(10, "com.fasterxml.jackson.core.json.UTF8StreamJsonParser.nextToken",
          "com.fasterxml.jackson.databind.ObjectMapper.readValue", "app.Handler.handle"),
      sample(10, "__memcpy_avx_unaligned", "Main.main"),
      sample(10)); // a sample without frames still counts in the whole

  @Test
  void ranksFramesBySelfThenTotalCountingRecursionOnce() {
    assertEquals(List.of(
        "app.Rules.match self=40 total=40 40.0% 40.0%",
        "com.fasterxml.jackson.databind.deser.BeanDeserializer.deserialize self=30 total=30 30.0% 30.0%",
        "__memcpy_avx_unaligned self=10 total=10 10.0% 10.0%",
        "com.fasterxml.jackson.core.json.UTF8StreamJsonParser.nextToken self=10 total=10 10.0% 10.0%",
        "app.Handler.handle self=0 total=80 0.0% 80.0%",
        "com.fasterxml.jackson.databind.ObjectMapper.readValue self=0 total=40 0.0% 40.0%",
        "Main.main self=0 total=10 0.0% 10.0%"), render(FrameStats.top(profile, 1, 10)));
  }

  @Test
  void limitsAndUsesTheRequestedValue() {
    // By sample count every leaf has self 1: ties go by total, then name.
    assertEquals(List.of("__memcpy_avx_unaligned self=1 total=1 20.0% 20.0%",
        "app.Rules.match self=1 total=1 20.0% 20.0%"), render(FrameStats.top(profile, 0, 2)));
    assertEquals(List.of(), FrameStats.top(profile, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> FrameStats.top(profile, 2, 5));
    assertEquals(List.of(), FrameStats.top(profile(), 1, 5));
  }

  @Test
  void groupsPackagesWithLibrariesCutToThreeSegments() {
    assertEquals(List.of(
        "app self=40 total=80 40.0% 80.0%",
        "com.fasterxml.jackson self=40 total=40 40.0% 40.0%",
        "jvm:other-jvm self=10 total=10 10.0% 10.0%",
        "(default package) self=0 total=10 0.0% 10.0%"), render(FrameStats.topPackages(profile, 1, 10)));
  }

  @Test
  void packageOfFrameNames() {
    assertEquals("com.example.rules", FrameStats.packageOf("com.example.rules.Rules.build"));
    assertEquals("com.fasterxml.jackson", FrameStats.packageOf("com.fasterxml.jackson.databind.ObjectMapper.readValue"));
    assertEquals("software.amazon.awssdk", FrameStats.packageOf("software.amazon.awssdk.core.client.Handler.execute"));
    assertEquals("java.util.concurrent", FrameStats.packageOf("java.util.concurrent.locks.LockSupport.park"));
    assertEquals("java.lang", FrameStats.packageOf("java.lang.Object.<init>"));
    assertEquals("com.example", FrameStats.packageOf("com.example.Handler$$Lambda/0x0000000800c01234.apply"));
    assertEquals(FrameStats.DEFAULT_PACKAGE, FrameStats.packageOf("Main.main"));
    assertEquals(FrameStats.NATIVE, FrameStats.packageOf("__libc_write"));
    assertEquals(FrameStats.NATIVE, FrameStats.packageOf("CompileBroker::compiler_thread_loop()"));
    assertEquals(FrameStats.NATIVE, FrameStats.packageOf("[unknown]"));
  }
}
