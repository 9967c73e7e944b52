package dev.ddsls.analysis.pprof;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ddsls.formats.pprof.PprofFormatException;

/**
 * Coverage-guided fuzzing of the pprof reader (docs/reliability.md "Parsers and the CLI"): any bytes are a profile or
 * one {@link PprofFormatException}; anything else thrown (an index out of bounds, an array over the VM's limit, a stack
 * overflow) or a run past Jazzer's time limit is a finding. Without {@code JAZZER_FUZZ} the kept inputs in
 * {@code PprofReaderFuzzTestInputs/} (real profiles and every crash found) are replayed.
 */
class PprofReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBytesAreAProfileOrOneError(byte[] data) {
    try {
      PprofReader.read(data);
    } catch (PprofFormatException expected) {
      // the reader's one answer to input it cannot read
    }
  }
}
