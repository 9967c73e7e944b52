package dev.ddsls.analysis.pprof;

import dev.ddsls.formats.pprof.ProfileBuilder;
import dev.ddsls.formats.pprof.ProfileBuilder.Label;
import dev.ddsls.formats.pprof.Frame;

/** The profile the round-trip and interop tests encode, and the facts they check in it. */
final class TestProfiles {
  static final long TIME = 1_752_000_000_123_456_789L;
  static final long DURATION = 1_500_000_000L;
  static final long PERIOD = 10_000_000L;

  static final Frame HANDLER = new Frame("example.RulesHandler", "handleRequest", 31);
  static final Frame BUILD = new Frame("example.Rules", "build", 42);
  static final Frame BUILD_OTHER_LINE = new Frame("example.Rules", "build", 57);
  static final Frame JACKSON = new Frame("com.fasterxml.jackson.databind.ObjectMapper", "readValue", 3817);
  static final Frame NATIVE = new Frame("", "__libc_write", 0);

  private TestProfiles() {}

  static ProfileBuilder builder() {
    return new ProfileBuilder(new String[][] {{"samples", "count"}, {"cpu", "nanoseconds"}},
        "cpu", "nanoseconds", PERIOD);
  }

  /**
   * Four distinct samples after merging:
   * BUILD<-HANDLER span 101 (3 samples), JACKSON<-BUILD_OTHER_LINE<-HANDLER span 101 (2), same stack span 202 (1),
   * NATIVE<-JACKSON<-HANDLER thread label only (5).
   */
  static ProfileBuilder sample() {
    ProfileBuilder b = builder();
    Frame[] build = {BUILD, HANDLER};
    Frame[] jackson = {JACKSON, BUILD_OTHER_LINE, HANDLER};
    Frame[] nativeWrite = {NATIVE, JACKSON, HANDLER};
    for (int i = 0; i < 3; i++) {
      b.addSample(build, new long[] {1, PERIOD}, Label.str("thread name", "main"), Label.num("span id", 101));
    }
    // Labels in the other order must merge with the same set.
    b.addSample(jackson, new long[] {1, PERIOD}, Label.str("thread name", "main"), Label.num("span id", 101));
    b.addSample(jackson, new long[] {1, PERIOD}, Label.num("span id", 101), Label.str("thread name", "main"));
    b.addSample(jackson, new long[] {1, PERIOD}, Label.str("thread name", "main"), Label.num("span id", 202));
    b.addSample(nativeWrite, new long[] {5, 5 * PERIOD}, Label.str("thread name", "ddsls-flush"));
    b.addComment("service=rules-fn");
    b.addComment("runtime=java17");
    b.setTimeNanos(TIME);
    b.setDurationNanos(DURATION);
    return b;
  }
}
