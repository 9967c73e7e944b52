package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DataDog's npm {@code pprof-format} decoder reads what the agent writes, and the reader reads what it writes. */
@Tag("e2e")
class PprofFormatInteropTest {
  @TempDir Path dir;

  @Test
  void pprofFormatDecodesTheAgentEncoding() throws Exception {
    Path file = dir.resolve("agent.pb.gz");
    Files.write(file, TestProfiles.sample().encodeGzipped());
    JsonNode p = new ObjectMapper().readTree(peer("decode", file));

    List<String> strings = texts(p.get("stringTable"));
    assertEquals("", strings.get(0));
    assertEquals(strings.size(), new HashSet<>(strings).size(), "duplicate strings: " + strings);
    assertEquals(List.of("[\"samples\",\"count\"]", "[\"cpu\",\"nanoseconds\"]"), jsons(p.get("sampleTypes")));
    assertEquals("[\"cpu\",\"nanoseconds\"]", p.get("periodType").toString());
    assertEquals(TestProfiles.PERIOD, p.get("period").asLong());
    assertEquals(TestProfiles.TIME, p.get("timeNanos").asLong());
    assertEquals(TestProfiles.DURATION, p.get("durationNanos").asLong());
    assertEquals(List.of("service=rules-fn", "runtime=java17"), texts(p.get("comments")));
    assertEquals(List.of("{\"id\":1,\"hasFunctions\":true,\"hasFilenames\":true,\"hasLineNumbers\":true}"),
        jsons(p.get("mappings")));

    // One function per (class, method), whatever the line; system_name = name; file from the class name.
    assertEquals(List.of(
        "1 example.Rules.build example.Rules.build example/Rules.java",
        "2 example.RulesHandler.handleRequest example.RulesHandler.handleRequest example/RulesHandler.java",
        "3 com.fasterxml.jackson.databind.ObjectMapper.readValue com.fasterxml.jackson.databind.ObjectMapper.readValue"
            + " com/fasterxml/jackson/databind/ObjectMapper.java",
        "4 __libc_write __libc_write "), functions(p));
    // One location per (function, line), each with one line and the one mapping.
    List<String> locations = new ArrayList<>();
    for (JsonNode l : p.get("locations")) {
      assertEquals(1, l.get("mappingId").asLong());
      assertEquals(1, l.get("lines").size());
      locations.add(l.get("id").asLong() + ":" + l.get("lines").get(0).get("functionId").asLong()
          + "@" + l.get("lines").get(0).get("line").asLong());
    }
    assertEquals(List.of("1:1@42", "2:2@31", "3:3@3817", "4:1@57", "5:4@0"), locations);

    List<String> samples = new ArrayList<>();
    for (JsonNode s : p.get("samples")) {
      Map<String, String> labels = new TreeMap<>();
      for (JsonNode l : s.get("labels")) {
        labels.put(l.get("key").asText(), l.get("str").isNull() ? "num " + l.get("num").asLong() : l.get("str").asText());
      }
      samples.add(jsons(s.get("values")) + " " + texts(s.get("stack")) + " " + jsons(s.get("lines")) + " " + labels);
    }
    String handler = "example.RulesHandler.handleRequest";
    String jackson = "com.fasterxml.jackson.databind.ObjectMapper.readValue";
    assertEquals(List.of(
        "[3, 30000000] [example.Rules.build, " + handler + "] [42, 31] {span id=num 101, thread name=main}",
        "[2, 20000000] [" + jackson + ", example.Rules.build, " + handler + "] [3817, 57, 31]"
            + " {span id=num 101, thread name=main}",
        "[1, 10000000] [" + jackson + ", example.Rules.build, " + handler + "] [3817, 57, 31]"
            + " {span id=num 202, thread name=main}",
        "[5, 50000000] [__libc_write, " + jackson + ", " + handler + "] [0, 3817, 31] {thread name=ddsls-flush}"),
        samples);
  }

  @Test
  void readerDecodesAPprofFormatEncoding() throws Exception {
    Path file = dir.resolve("peer.pb.gz");
    peer("encode", file);
    Profile p = PprofReader.read(file);
    assertEquals(List.of(new ValueType("wall-samples", "count"), new ValueType("wall-time", "nanoseconds")),
        p.sampleTypes());
    assertEquals(new ValueType("wall-time", "nanoseconds"), p.periodType());
    assertEquals(10_000_000L, p.period());
    assertEquals(1_752_000_000_000_000_000L, p.timeNanos());
    assertEquals(2_000_000_000L, p.durationNanos());
    assertEquals("pprof-format", p.comment("peer"));
    assertEquals(2, p.samples().size());
    ProfileSample first = p.samples().get(0);
    assertEquals(List.of("peer.Leaf.work", "peer.Main.main"), first.stack());
    assertArrayEquals(new long[] {12, 5}, first.lines());
    assertArrayEquals(new long[] {7, 70_000_000L}, first.values());
    assertEquals(Map.of("thread name", "main"), first.strLabels());
    assertEquals(Map.of("local root span id", 987_654_321L), first.numLabels());
    ProfileSample second = p.samples().get(1);
    assertEquals(List.of("peer.Main.main"), second.stack());
    assertArrayEquals(new long[] {3, 30_000_000L}, second.values());
    assertTrue(second.strLabels().isEmpty() && second.numLabels().isEmpty());
  }

  private String peer(String mode, Path file) throws Exception {
    return PeerTools.runText(dir, PeerTools.node(), script().toString(), PeerTools.toolsDir().toString(), mode,
        file.toString());
  }

  private static Path script() throws URISyntaxException {
    return Path.of(PprofFormatInteropTest.class.getResource("/pprof/pprof-format-peer.cjs").toURI());
  }

  private static List<String> functions(JsonNode p) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : p.get("functions")) {
      out.add(f.get("id").asLong() + " " + f.get("name").asText() + " " + f.get("systemName").asText() + " "
          + f.get("filename").asText());
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }

  /** Elements as compact JSON, numbers normalised (pprof-format gives big ones as strings). */
  private static List<String> jsons(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.isTextual() && n.asText().matches("-?\\d+") ? n.asText() : n.toString());
    return out;
  }
}
