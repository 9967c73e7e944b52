package dev.ddsls.collector;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the multipart/form-data splitter that profile uploads go through. The input's first line
 * is the boundary (as a Content-Type would give it), the rest the body: parts or one {@link Malformed}.
 */
class MultipartFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBodyIsPartsOrOneMalformed(byte[] data) {
    int nl = 0;
    while (nl < data.length && data[nl] != '\n') nl++;
    String boundary = new String(data, 0, nl, StandardCharsets.ISO_8859_1).strip();
    byte[] body = new byte[Math.max(0, data.length - nl - 1)];
    System.arraycopy(data, Math.min(data.length, nl + 1), body, 0, body.length);
    try {
      Multipart.parse(body, Multipart.boundary("multipart/form-data; boundary=" + boundary));
    } catch (Malformed expected) {
      // not a multipart body with that boundary
    }
  }
}
