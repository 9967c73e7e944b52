package dev.ddsls.analysis.jfr;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the JFR reader: any bytes are a recording or one IOException naming what is wrong; any
 * other throwable, or a run past Jazzer's time limit (a loop the input steers), is a finding. Seeds: dd-trace-java's
 * recordings (ddprof and JDK JFR) and the crafted ones of issue 15, in {@code JfrReaderFuzzTestInputs/}.
 */
class JfrReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBytesAreARecordingOrOneError(byte[] data) {
    try {
      JfrProfiles.read(data);
    } catch (IOException expected) {
      // not a readable JFR recording
    }
  }
}
