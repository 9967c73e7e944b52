package dev.ddsls.collector;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the collector's msgpack reader (docs/reliability.md "Parsers and the CLI"): any bytes are
 * walked value by value, as the trace decoders skip what they do not know, and typed reads are tried where a value
 * starts, until the end or one {@link Malformed}; anything else thrown, or a run past Jazzer's time limit, is a finding.
 * Seeds: v0.4 and v0.5 trace payloads as dd-trace-java sends them.
 */
class MsgpackReaderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void anyBytesAreValuesOrOneMalformed(byte[] data) {
    MsgpackReader r = new MsgpackReader(data);
    try {
      for (int i = 0; !r.atEnd(); i++) {
        int at = r.position();
        switch (i % 6) {
          case 0 -> r.readArrayHeader("fuzz");
          case 1 -> r.readMapHeader("fuzz");
          case 2 -> r.readString("fuzz");
          case 3 -> r.readUnsigned("fuzz");
          case 4 -> r.readDouble("fuzz");
          default -> r.skip("fuzz");
        }
        if (r.position() <= at && !r.atEnd()) r.skip("fuzz"); // a header of 0 elements still moved; never loop in place
      }
    } catch (Malformed expected) {
      // the reader's one answer to bytes it cannot read
    }
  }
}
