package dev.ddsls.analysis.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Class loading is the loading itself, not the static initialisers that Class.forName runs. */
class ClassLoadingTest {
  // The handler's class is loaded and initialised by the runtime's Class.forName; its <clinit> builds the rules.
  static final List<String> UNDER_FORNAME = List.of("java.lang.Class.forName0", "java.lang.Class.forName",
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main");
  static final List<String> BUILD_IN_CLINIT = stack(List.of("example.Rules.build", "example.RulesHandler.<clinit>"));
  static final List<String> LOADING_FOR_CLINIT = stack(List.of("java.util.zip.ZipFile$Source.readFullyAt",
      "jdk.internal.loader.BuiltinClassLoader.loadClass", "java.lang.ClassLoader.loadClass", "example.Rules.build",
      "example.RulesHandler.<clinit>"));
  static final List<String> LOADING_HANDLER = stack(List.of("ClassFileParser::parse_stream", "SystemDictionary::resolve_from_stream"));

  static List<String> stack(List<String> leafSide) {
    List<String> s = new ArrayList<>(leafSide);
    s.addAll(UNDER_FORNAME);
    return s;
  }

  @Test
  void staticInitialiserUnderForNameIsNotClassLoading() {
    assertFalse(Signature.isClassLoading(BUILD_IN_CLINIT));
    assertTrue(Signature.isClassLoading(LOADING_FOR_CLINIT), "loading a class the initialiser needs is loading");
    assertTrue(Signature.isClassLoading(LOADING_HANDLER));
    assertTrue(Signature.isClassLoading(List.of("java.lang.Class.forName0", "example.Main.main")));
    assertFalse(Signature.isClassLoading(List.of("example.Rules.build", "example.RulesHandler.handleRequest")));
  }

  @Test
  void initAnalysisCountsOnlyLoading() {
    long ms = 1_000_000;
    List<ProfileSample> samples = List.of(sample(BUILD_IN_CLINIT, 500 * ms), sample(LOADING_FOR_CLINIT, 40 * ms),
        sample(LOADING_HANDLER, 60 * ms));
    Profile p = new Profile(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
        new ValueType("cpu", "nanoseconds"), 10 * ms, 0, 0, List.of(), samples);
    InitAnalysis a = InitAnalysis.of(List.of(new ProfileInput("p1", p)), 10);
    assertEquals(100.0, a.classLoadingMs(), 1e-9);
    assertEquals(600.0, a.cpuMs(), 1e-9);
    assertEquals("example.RulesHandler.<clinit>", a.staticInitialisers().get(0).frame());
    assertEquals(540.0, a.staticInitialisers().get(0).ms(), 1e-9);
  }

  static ProfileSample sample(List<String> stack, long cpuNs) {
    return new ProfileSample(stack, new long[stack.size()], new long[] {cpuNs / 10_000_000, cpuNs},
        Map.of(InitBreakdown.PHASE, InitBreakdown.INIT), Map.of("local root span id", 7L));
  }
}
