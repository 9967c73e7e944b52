package dev.ddsls.analysis.profile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.pprof.PprofReader;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of what every source reads a profile with: magic-byte recognition, gzip, zstd and lz4
 * decompression with their bound, then pprof or JFR, as {@link ProfileReader} does. The bound is 4 MiB here, not the
 * format's: a bomb is refused the same way, and a fuzzer that inflated 128 MiB per input would run a few inputs a
 * second. Any bytes give profiles or one IOException.
 */
class ProfileReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBytesAreProfilesOrOneError(byte[] data) {
    try {
      ProfileContent c = ProfileContent.of(data, 4 << 20);
      if (c.format == ProfileFormat.JFR) JfrProfiles.read(c.bytes);
      else PprofReader.read(c.bytes);
    } catch (IOException expected) {
      // compression or format that cannot be read
    }
  }
}
