package dev.ddsls.analysis.priming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The priming list from the agent's class list and the first invocation's samples. */
class PrimingListTest {
  static final String LIST = "# ddsls first-invocation classes v1\n# function\torders\n# init_type\tsnap-start\n# request_id\tr-1\n"
      + "com.fasterxml.jackson.databind.ObjectMapper\tjackson-databind-2.17.1.jar\n"
      + "com.fasterxml.jackson.databind.SerializationConfig\tjackson-databind-2.17.1.jar\n"
      + "java.util.concurrent.ConcurrentSkipListMap\tjrt\n"
      + "com.example.Orders$Line\torders.jar\n";

  static ClassList list(String text) throws IOException { return ClassList.read(new BufferedReader(new StringReader(text)), "first-invocation-classes-0001.tsv"); }

  static ProfileSample sample(String phase, String requestId, long cpuNanos, String... stack) {
    return new ProfileSample(List.of(stack), new long[stack.length], new long[] {1, cpuNanos}, Map.of("phase", phase, "request id", requestId), Map.of());
  }

  @Test
  void groupsByLibraryWithTheFirstInvocationsCpuAndWritesPowertoolsFormat() throws Exception {
    ClassList l = list(LIST);
    assertEquals("orders", l.function());
    assertEquals(4, l.classes().size());
    List<ProfileSample> samples = new ArrayList<>();
    // first use of Jackson: 30 ms, 20 of them loading its classes
    samples.add(sample("first_invocation_after_restore", "r-1", 20_000_000, "java.lang.ClassLoader.defineClass1",
        "com.fasterxml.jackson.databind.ObjectMapper.<init>", "com.example.Handler.handleRequest"));
    samples.add(sample("first_invocation_after_restore", "r-1", 10_000_000, "com.fasterxml.jackson.databind.SerializationConfig.with",
        "com.example.Handler.handleRequest"));
    samples.add(sample("restore", "r-1", 5_000_000, "java.util.concurrent.ConcurrentSkipListMap.put", "com.example.Hooks.afterRestore"));
    samples.add(sample("invocation", "r-2", 50_000_000, "com.fasterxml.jackson.databind.ObjectMapper.writeValueAsString")); // a later invocation
    samples.add(sample("init", "r-1", 70_000_000, "com.example.Orders$Line.<clinit>")); // init's: before the snapshot
    Profile p = new Profile(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")), new ValueType("cpu", "nanoseconds"),
        10_000_000, 0, 0, List.of(), samples);

    PrimingList priming = PrimingList.of(List.of(l), List.of(new ProfileInput("profile-0002-cpu.pb.gz", p)), "x").get(0);
    assertEquals("orders", priming.function());
    assertEquals(4, priming.classCount());
    assertEquals(35.0, priming.firstInvocationCpuMs(), 1e-9);
    assertEquals(20.0, priming.classLoadingCpuMs(), 1e-9);
    PrimingList.Library jackson = priming.libraries().get(0);
    assertEquals("jackson-databind-2.17.1: com.fasterxml.jackson", jackson.name());
    assertEquals(30.0, jackson.firstUseCpuMs(), 1e-9, "both Jackson samples of the first invocation; not the later one's");
    assertEquals("JDK", priming.libraries().get(1).name());
    assertEquals(5.0, priming.libraries().get(1).firstUseCpuMs(), 1e-9);
    assertEquals(0.0, priming.libraries().get(2).firstUseCpuMs(), 1e-9, "Orders$Line ran in init only");
    assertTrue(priming.advice().contains("invoke priming"), priming.advice());

    String txt = priming.classesLoadedTxt();
    List<String> classes = new ArrayList<>();
    for (String line : txt.split("\n")) {
      int hash = line.indexOf('#'); // as ClassPreLoader reads it: text after # is a comment, blank lines skipped
      String c = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (!c.isEmpty()) classes.add(c);
    }
    assertEquals(List.of("com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.databind.SerializationConfig",
        "java.util.concurrent.ConcurrentSkipListMap", "com.example.Orders$Line"), classes);
    assertTrue(priming.summary().startsWith("priming list for orders: 4 classes loaded after the snapshot (1 cold start)"), priming.summary());
  }

  @Test
  void badListsAreRefusedNamingTheFile() {
    IOException e = assertThrows(IOException.class, () -> list("hello\n"));
    assertTrue(e.getMessage().startsWith("first-invocation-classes-0001.tsv: not a ddsls class list"), e.getMessage());
    e = assertThrows(IOException.class, () -> list("# ddsls first-invocation classes v1\nrm -rf /\tx.jar\n"));
    assertTrue(e.getMessage().contains("not a class name"), e.getMessage());
  }
}
