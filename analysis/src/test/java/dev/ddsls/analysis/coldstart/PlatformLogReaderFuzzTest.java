package dev.ddsls.analysis.coldstart;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of Lambda's platform records (CloudWatch REPORT and INIT_REPORT lines, JSON logs, Telemetry
 * API events, CloudWatch exports), read as diagnose reads a {@code .log}: reports or one IOException.
 */
class PlatformLogReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyLogIsReportsOrOneError(byte[] data) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.ISO_8859_1))) {
      PlatformLogReader.read(in, "fuzz");
    } catch (IOException expected) {
      // a CloudWatch export that is not JSON
    }
  }
}
