package dev.ddsls.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.analysis.coldstart.InitAnalysis;
import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReportInitTest {
  @Test
  void initHasJvmActivitiesAndNoNativePackage() {
    List<String> stack = List.of("ClassFileParser::parse_stream", "java.lang.ClassLoader.defineClass1", "com.example.Handler.<clinit>");
    ProfileSample s = new ProfileSample(stack, new long[stack.size()], new long[] {3, 30_000_000L},
        Map.of(InitBreakdown.PHASE, InitBreakdown.INIT), Map.of("local root span id", 7L));
    Profile p = new Profile(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
        new ValueType("cpu", "nanoseconds"), 10_000_000L, 0, 0, List.of(), List.of(s));
    InitAnalysis a = InitAnalysis.of(List.of(new ProfileInput("p1", p)), 10);
    ObjectNode n = JsonReport.init(a);
    assertEquals(30.0, n.get("jvmActivities").get("class-loading").asDouble(), 1e-9);
    assertEquals("jvm:class-loading", n.get("topPackages").get(0).get("package").asText());
    assertFalse(n.get("topPackages").toString().contains("(native)"));
  }
}
