package dev.ddsls.analysis.profile;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the one profile reader every source uses: magic-byte recognition, gzip, zstd and lz4
 * decompression with their bounds, then pprof or JFR. Any bytes give profiles or one {@link ProfileFormatException}.
 */
class ProfileReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBytesAreProfilesOrOneError(byte[] data) {
    try {
      ProfileReader.read("fuzz", data);
    } catch (ProfileFormatException expected) {
      // compression or format that cannot be read
    }
  }
}
