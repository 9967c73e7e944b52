package dev.ddsls.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * dd-trace-java's {@code main.jfr} (a real 1.65.1 upload with its profiler's span ids) in every compression the
 * tracer can send: accepted, stored as uploaded, found by the span ids of its samples; a broken one refused at upload.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DdTraceJavaUploadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A span whose samples are in the recording (its wall samples in {@code app.Work.burn}). */
  private static final String SPAN = "9110065311004569554";
  CollectorProcess collector;

  @BeforeAll void start(@TempDir Path dir) throws Exception {
    collector = CollectorProcess.start("--data", dir.resolve("store").toString());
  }

  @AfterAll void stop() throws Exception {
    if (collector != null) collector.stop();
  }

  interface Compressor { OutputStream wrap(OutputStream out) throws IOException; }

  private static byte[] compress(Compressor c, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream o = c.wrap(out)) { o.write(data); }
    return out.toByteArray();
  }

  static byte[] ddJfr() throws IOException {
    return Files.readAllBytes(Path.of("..", "analysis", "src", "test", "resources", "jfr", "dd-trace-java-1.65.1-ddprof.jfr"));
  }

  private HttpResponse<String> upload(String service, byte[] body) throws Exception {
    String event = Payloads.event(service, "2026-12-06T22:40:40Z", "2026-12-06T22:40:46Z", "main.jfr");
    return collector.send("POST", "/profiling/v1/input", Payloads.MULTIPART, Payloads.profile(event, Map.of("main.jfr", body), Map.of("main.jfr", "main")));
  }

  @Test void everyCompressionIsAcceptedAndIndexedBySpanId() throws Exception {
    byte[] jfr = ddJfr();
    Map<String, byte[]> bodies = Map.of("none", jfr, "gzip", compress(GZIPOutputStream::new, jfr),
        "zstd", compress(ZstdOutputStream::new, jfr), "lz4", compress(LZ4FrameOutputStream::new, jfr));
    for (Map.Entry<String, byte[]> b : bodies.entrySet()) {
      String service = "dd-" + b.getKey();
      HttpResponse<String> r = upload(service, b.getValue());
      assertEquals(200, r.statusCode(), b.getKey() + ": " + r.body());
      JsonNode p = JSON.readTree(collector.get("/ddsls/v1/profiles?service=" + service + "&span_id=" + SPAN).body()).get("profiles");
      assertEquals(1, p.size(), b.getKey() + ": found by a span id of its samples");
      JsonNode a = p.get(0).get("attachments").get(0);
      assertEquals("jfr", a.get("format").asText());
      assertEquals(b.getKey(), a.get("compression").asText());
      HttpResponse<byte[]> raw = collector.getBytes(a.get("url").asText());
      assertTrue(Arrays.equals(b.getValue(), raw.body()), "served as uploaded");
    }
  }

  @Test void aBrokenRecordingIsRefusedAtUpload() throws Exception {
    byte[] zstd = compress(ZstdOutputStream::new, ddJfr());
    HttpResponse<String> cut = upload("dd-cut", Arrays.copyOf(zstd, zstd.length / 2));
    assertEquals(400, cut.statusCode(), cut.body());
    assertTrue(cut.body().contains("attachment main.jfr") && cut.body().contains("zstd"), cut.body());
    // Whole chunks, but an event that runs past its chunk: only reading the recording finds it.
    byte[] jfr = ddJfr();
    byte[] bad = jfr.clone();
    for (int i = 68; i < 4096; i++) bad[i] = (byte) 0xff;
    HttpResponse<String> r = upload("dd-bad", compress(GZIPOutputStream::new, bad));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("not a readable JFR recording"), r.body());
    assertEquals(0, JSON.readTree(collector.get("/ddsls/v1/profiles?service=dd-bad").body()).get("profiles").size());
  }
}
