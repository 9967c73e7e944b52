package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.agent.AgentConfig;
import dev.ddsls.agent.TestConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProfileUploadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void buildsTheEventPartAndOnePartPerAttachment() throws Exception {
    byte[] cpu = Gz.gzip("cpu profile bytes\r\n--not a boundary".getBytes(StandardCharsets.UTF_8));
    byte[] wall = Gz.gzip(new byte[1000]);
    Map<String, Long> endpoints = new LinkedHashMap<>();
    endpoints.put("my-fn", 3L);
    Map<String, String> info = new LinkedHashMap<>();
    info.put("phase.jvm.ms", "40.1");
    long start = 1_755_000_000_000_000_000L;
    long end = start + 60_123_456_789L;
    List<Uploader.Attachment> attachments = List.of(new Uploader.Attachment("cpu.pprof", cpu), new Uploader.Attachment("wall.pprof", wall));
    String event = ProfileUpload.eventJson(start, end, attachments, "java", "service:a,env:b", endpoints, info);
    ProfileUpload u = ProfileUpload.build(event, attachments);

    List<Multipart.Part> parts = Multipart.parse(u.contentType, u.body);
    assertEquals(3, parts.size());
    Multipart.Part ev = parts.get(0);
    assertEquals("event", ev.name());
    assertEquals("event.json", ev.filename());
    assertEquals("application/json", ev.headers.get("content-type"));
    JsonNode e = JSON.readTree(ev.data);
    assertEquals("[\"cpu.pprof\",\"wall.pprof\"]", e.get("attachments").toString());
    assertEquals(Instant.ofEpochSecond(0, start), Instant.parse(e.get("start").asText()));
    assertEquals(Instant.ofEpochSecond(0, end), Instant.parse(e.get("end").asText()));
    assertEquals("java", e.get("family").asText());
    assertEquals("4", e.get("version").asText());
    assertEquals("service:a,env:b", e.get("tags_profiler").asText());
    assertEquals(3, e.get("endpoint_counts").get("my-fn").asLong());
    assertEquals("40.1", e.get("info").get("ddsls").get("phase.jvm.ms").asText());

    assertEquals("cpu.pprof", parts.get(1).name());
    assertEquals("cpu.pprof", parts.get(1).filename());
    assertEquals("application/octet-stream", parts.get(1).headers.get("content-type"));
    assertTrue(Gz.isGzip(parts.get(1).data));
    assertArrayEquals(cpu, parts.get(1).data);
    assertEquals("wall.pprof", parts.get(2).name());
    assertArrayEquals(wall, parts.get(2).data);
  }

  @Test
  void optionalEventFieldsAreLeftOutWhenEmpty() throws Exception {
    JsonNode e = JSON.readTree(ProfileUpload.eventJson(0, 1, List.of(new Uploader.Attachment("cpu.pprof", new byte[0])), "java", "", null, new LinkedHashMap<>()));
    assertFalse(e.has("endpoint_counts"));
    assertFalse(e.has("info"));
    assertEquals("1970-01-01T00:00:00.000000000Z", e.get("start").asText());
  }

  @Test
  void rfc3339MatchesJavaTime() {
    Random r = new Random(1);
    long[] fixed = {0, -1, 951_782_400_000_000_000L /* 2000-02-29 */, 4_107_542_400_123_000_000L, -86_400_000_000_001L};
    for (long n : fixed) assertEquals(Instant.ofEpochSecond(0, n), Instant.parse(ProfileUpload.rfc3339(n)), "epoch ns " + n);
    for (int i = 0; i < 10_000; i++) {
      long n = (r.nextLong() >>> 2) * (r.nextBoolean() ? 1 : -1) / 16;
      assertEquals(Instant.ofEpochSecond(0, n), Instant.parse(ProfileUpload.rfc3339(n)), "epoch ns " + n);
    }
  }

  @Test
  void tagsProfilerCarriesIdentityUserAndExtraTags() {
    AgentConfig config = TestConfig.of("DD_SERVICE", "orders", "DD_ENV", "prod", "DD_VERSION", "1.2", "DD_HOSTNAME", "h1",
        "AWS_LAMBDA_FUNCTION_NAME", "Orders-Fn", "DD_TAGS", "team:pay,env:ignored,odd:a\"b");
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("profiler_engine", "async");
    extra.put("comma", "a,b");
    List<String> tags = Arrays.asList(ProfilerTags.of(config, extra).split(","));
    assertEquals("service:orders", tags.get(0));
    assertEquals("env:prod", tags.get(1));
    assertEquals("version:1.2", tags.get(2));
    assertEquals("host:h1", tags.get(3));
    assertTrue(tags.get(4).matches("runtime-id:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), tags.get(4));
    assertEquals("language:jvm", tags.get(5));
    assertTrue(tags.get(6).startsWith("profiler_version:"));
    assertEquals("library_version:" + AgentIdentity.AGENT_VERSION, tags.get(7));
    assertEquals("runtime_version:" + System.getProperty("java.version"), tags.get(8));
    assertEquals("process_id:" + ProcessHandle.current().pid(), tags.get(9));
    assertEquals("functionname:orders-fn", tags.get(10));
    assertTrue(tags.contains("team:pay"));
    assertTrue(tags.contains("odd:ab"), "double quotes stripped");
    assertFalse(tags.contains("env:ignored"), "DD_ENV wins over DD_TAGS");
    assertTrue(tags.contains("profiler_engine:async"));
    assertTrue(tags.contains("comma:a_b"), "a comma inside a value would split the tag");
  }

  @Test
  void noFunctionNameOutsideLambda() {
    String tags = ProfilerTags.of(TestConfig.of("DD_SERVICE", "x"), null);
    assertFalse(tags.contains("functionname:"), tags);
    assertFalse(tags.contains("env:"), tags);
  }
}
