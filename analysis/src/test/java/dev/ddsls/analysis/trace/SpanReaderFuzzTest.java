package dev.ddsls.analysis.trace;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;

/**
 * Coverage-guided fuzzing of the span JSON reader (JSON lines, arrays of spans or traces, the spans API's pages):
 * any bytes give spans or one {@link SpanFormatException}.
 */
class SpanReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBytesAreSpansOrOneError(byte[] data) {
    try {
      SpanReader.read(new ByteArrayInputStream(data), "fuzz", span -> { });
    } catch (SpanFormatException expected) {
      // not span JSON
    }
  }
}
