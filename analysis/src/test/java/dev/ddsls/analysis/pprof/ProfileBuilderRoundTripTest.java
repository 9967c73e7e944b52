package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.formats.pprof.ProfileBuilder;
import dev.ddsls.formats.pprof.ProfileBuilder.Label;
import dev.ddsls.formats.pprof.Frame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's encoder, read back by the analysis reader. */
class ProfileBuilderRoundTripTest {

  @Test
  void roundTripsHeaderSamplesLabelsAndLines() throws Exception {
    ProfileBuilder b = TestProfiles.sample();
    assertEquals(4, b.sampleCount());
    Profile p = PprofReader.read(b.encodeGzipped());

    assertEquals(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")), p.sampleTypes());
    assertEquals(new ValueType("cpu", "nanoseconds"), p.periodType());
    assertEquals(TestProfiles.PERIOD, p.period());
    assertEquals(TestProfiles.TIME, p.timeNanos());
    assertEquals(TestProfiles.DURATION, p.durationNanos());
    assertEquals(List.of("service=rules-fn", "runtime=java17"), p.comments());
    assertEquals("rules-fn", p.comment("service"));
    assertEquals("java17", p.comment("runtime="));
    assertNull(p.comment("region"));
    assertEquals(1, p.valueIndex("cpu"));
    assertEquals(-1, p.valueIndex("wall"));

    List<ProfileSample> s = p.samples();
    assertEquals(4, s.size());
    assertEquals(List.of("example.Rules.build", "example.RulesHandler.handleRequest"), s.get(0).stack());
    assertArrayEquals(new long[] {42, 31}, s.get(0).lines());
    assertArrayEquals(new long[] {3, 3 * TestProfiles.PERIOD}, s.get(0).values());
    assertEquals(Map.of("thread name", "main"), s.get(0).strLabels());
    assertEquals(Map.of("span id", 101L), s.get(0).numLabels());

    assertEquals(List.of("com.fasterxml.jackson.databind.ObjectMapper.readValue", "example.Rules.build",
        "example.RulesHandler.handleRequest"), s.get(1).stack());
    assertArrayEquals(new long[] {3817, 57, 31}, s.get(1).lines());
    assertArrayEquals(new long[] {2, 2 * TestProfiles.PERIOD}, s.get(1).values());
    assertEquals(Map.of("span id", 202L), s.get(2).numLabels());
    assertArrayEquals(new long[] {1, TestProfiles.PERIOD}, s.get(2).values());

    assertEquals("__libc_write", s.get(3).leaf());
    assertEquals(0, s.get(3).line(0));
    assertEquals(Map.of("thread name", "ddsls-flush"), s.get(3).strLabels());
    assertTrue(s.get(3).numLabels().isEmpty());
    assertEquals(11 * TestProfiles.PERIOD, p.total(1));
  }

  @Test
  void rawAndGzippedEncodingsDecodeAlike() throws Exception {
    ProfileBuilder b = TestProfiles.sample();
    byte[] raw = b.encode();
    byte[] gz = b.encodeGzipped();
    assertEquals(0x1f, gz[0] & 0xFF);
    assertEquals(0x8b, gz[1] & 0xFF);
    assertEquals(PprofReader.read(raw).samples().toString(), PprofReader.read(gz).samples().toString());
  }

  @Test
  void largeProfilesWithLongMessagesAndNegativeValuesRoundTrip() throws Exception {
    ProfileBuilder b = new ProfileBuilder(new String[][] {{"alloc", "bytes"}}, "space", "bytes", 512 * 1024);
    List<List<String>> expected = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      // 40 frames: sample messages well over 128 bytes; long names: multi-byte string lengths.
      Frame[] stack = new Frame[40];
      List<String> names = new ArrayList<>();
      for (int d = 0; d < stack.length; d++) {
        stack[d] = new Frame("com.example.deep.package" + (i % 7) + ".Class" + d + "x".repeat(150), "m" + (i + d), d);
        names.add(stack[d].name());
      }
      b.addSample(stack, new long[] {i == 5 ? -123_456_789_012L : i}, Label.num("i", i), Label.str("k", "v" + i));
      expected.add(names);
    }
    assertEquals(2000, b.sampleCount());
    Profile p = PprofReader.read(b.encodeGzipped());
    assertEquals(2000, p.samples().size());
    for (int i = 0; i < 2000; i++) {
      ProfileSample s = p.samples().get(i);
      assertEquals(expected.get(i), s.stack());
      assertEquals(i == 5 ? -123_456_789_012L : i, s.value(0));
      assertEquals(i, s.numLabels().get("i"));
      assertEquals("v" + i, s.strLabel("k"));
      assertEquals(39, s.line(39));
    }
    assertEquals(new ValueType("space", "bytes"), p.periodType());
    assertEquals(512 * 1024, p.period());
  }

  @Test
  void emptyStringLabelsAreDroppedAndEmptyProfilesEncode() throws Exception {
    ProfileBuilder b = TestProfiles.builder();
    Profile empty = PprofReader.read(b.encode());
    assertTrue(empty.samples().isEmpty());
    assertEquals(2, empty.sampleTypes().size());

    b.addSample(new Frame[] {TestProfiles.BUILD}, new long[] {1, 2}, Label.str("endpoint", ""), Label.num("n", 0));
    ProfileSample s = PprofReader.read(b.encode()).samples().get(0);
    assertTrue(s.strLabels().isEmpty());
    assertEquals(Map.of("n", 0L), s.numLabels());
  }

  @Test
  void rejectsValueCountsThatDoNotMatchSampleTypes() {
    ProfileBuilder b = TestProfiles.builder();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.addSample(new Frame[] {TestProfiles.BUILD}, new long[] {1}));
    assertEquals("expected 2 values, got 1", e.getMessage());
  }

  @Test
  void filterKeepsHeaderAndSelectedSamples() throws Exception {
    Profile p = PprofReader.read(TestProfiles.sample().encode());
    Profile main = p.filter(s -> "main".equals(s.strLabel("thread name")));
    assertEquals(3, main.samples().size());
    assertEquals(p.comments(), main.comments());
    assertEquals(6, main.total(0));
    assertEquals(Arrays.asList(3L, 2L, 1L), main.samples().stream().map(s -> s.value(0)).toList());
  }
}
