package dev.ddsls.analysis.pprof;

import dev.ddsls.formats.pprof.PprofFormatException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PprofReaderTest {
  // string table used by the hand-built profiles
  private static final String[] STRINGS = {"", "samples", "count", "a.B.leaf", "a.B.caller", "thread", "main", "n",
      "x.Y.inlined"};

  private static Pb valueType(long type, long unit) { return new Pb().varint(1, type).varint(2, unit); }

  private static Pb function(long id, long name) { return new Pb().varint(1, id).varint(2, name); }

  private static Pb location(long id, long functionId, long line) {
    return new Pb().varint(1, id).varint(2, 1).message(4, new Pb().varint(1, functionId).varint(2, line));
  }

  /** A valid profile: sample_type samples/count, two functions, two locations, one mapping. */
  private static Pb base() {
    return new Pb().message(1, valueType(1, 2)).message(3, new Pb().varint(1, 1).varint(7, 1))
        .message(4, location(1, 1, 10)).message(4, location(2, 2, 20))
        .message(5, function(1, 3)).message(5, function(2, 4));
  }

  @Test
  void acceptsUnpackedRepeatedFields() throws Exception {
    Pb sample = new Pb().varint(1, 1).varint(1, 2).varint(2, 7)
        .message(3, new Pb().varint(1, 5).varint(2, 6)).message(3, new Pb().varint(1, 7).varint(3, 42));
    byte[] data = base().message(2, sample).strings(STRINGS).varint(13, 5).varint(13, 7).toBytes();
    Profile p = PprofReader.read(data);
    ProfileSample s = p.samples().get(0);
    assertEquals(List.of("a.B.leaf", "a.B.caller"), s.stack());
    assertArrayEquals(new long[] {10, 20}, s.lines());
    assertArrayEquals(new long[] {7}, s.values());
    assertEquals(Map.of("thread", "main"), s.strLabels());
    assertEquals(Map.of("n", 42L), s.numLabels());
    assertEquals(List.of("thread", "n"), p.comments());
  }

  @Test
  void concatenatesPackedAndUnpackedRunsOfOneField() throws Exception {
    Pb sample = new Pb().packed(1, 1).varint(1, 2).packed(2, 3);
    Profile p = PprofReader.read(base().message(2, sample).strings(STRINGS).toBytes());
    assertEquals(List.of("a.B.leaf", "a.B.caller"), p.samples().get(0).stack());
  }

  @Test
  void expandsInlinedLinesInnermostFirstAndNamesAddressOnlyLocations() throws Exception {
    Pb inlined = new Pb().varint(1, 3).message(4, new Pb().varint(1, 3).varint(2, 5))
        .message(4, new Pb().varint(1, 1).varint(2, 11));
    Pb addressOnly = new Pb().varint(1, 4).varint(3, 0xdeadbeefL);
    Pb sample = new Pb().packed(1, 4, 3, 2).packed(2, 1);
    byte[] data = base().message(4, inlined).message(4, addressOnly).message(5, function(3, 8))
        .message(2, sample).strings(STRINGS).toBytes();
    ProfileSample s = PprofReader.read(data).samples().get(0);
    assertEquals(List.of("0xdeadbeef", "x.Y.inlined", "a.B.leaf", "a.B.caller"), s.stack());
    assertArrayEquals(new long[] {0, 5, 11, 20}, s.lines());
  }

  @Test
  void skipsUnknownFieldsOfEveryWireType() throws Exception {
    Pb sample = new Pb().packed(1, 1).packed(2, 9).varint(99, 1).string(98, "x");
    byte[] data = base().message(2, sample).strings(STRINGS).varint(14, 1).varint(50, 3).toBytes();
    byte[] withFixed = Arrays.copyOf(data, data.length + 14);
    int i = data.length;
    withFixed[i++] = (byte) ((40 << 3) | 1); // fixed64 field 40
    i += 8;
    withFixed[i++] = (byte) ((41 << 3) | 5); // fixed32 field 41
    assertEquals(9, PprofReader.read(Arrays.copyOf(withFixed, i + 4)).samples().get(0).value(0));
  }

  @Test
  void readsGzipFromAFileAndNamesTheFileInErrors(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("p.pb.gz");
    Files.write(good, TestProfiles.sample().encodeGzipped());
    assertEquals(4, PprofReader.read(good).samples().size());
    Path bad = dir.resolve("bad.pprof");
    Files.write(bad, new byte[0]);
    PprofFormatException e = assertThrows(PprofFormatException.class, () -> PprofReader.read(bad));
    assertEquals(bad + ": empty input: not a pprof profile", e.getMessage());
  }

  @Test
  void rejectsEmptyAndForeignInputs() {
    assertError("empty input: not a pprof profile", new byte[0]);
    assertError("input is a JFR recording (magic FLR), not a pprof profile",
        new byte[] {'F', 'L', 'R', 0, 0, 2, 0, 1, 0, 0});
    assertError("not a pprof profile: starts with 7b 22 61 22, expected gzip magic 1f 8b or a protobuf Profile field",
        "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    assertError("not a pprof profile: starts with 89 50 4e 47, expected gzip magic 1f 8b or a protobuf Profile field",
        new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n'});
    assertError("gzip data decompresses to 0 bytes: not a pprof profile", gzip(new byte[0]));
    assertError("invalid pprof (after gunzip): string_table is empty (must start with \"\")",
        gzip(new Pb().message(1, valueType(0, 0)).toBytes()));
  }

  @Test
  void rejectsEveryTruncationOfAGzippedProfile() throws Exception {
    byte[] gz = TestProfiles.sample().encodeGzipped();
    for (int len = 1; len < gz.length; len++) {
      byte[] prefix = Arrays.copyOf(gz, len);
      PprofFormatException e = assertThrows(PprofFormatException.class,
          () -> PprofReader.read(prefix), "prefix of " + len + " bytes");
      assertOneLine(e);
    }
    assertTrue(assertThrows(PprofFormatException.class, () -> PprofReader.read(Arrays.copyOf(gz, gz.length / 2)))
        .getMessage().startsWith("truncated gzip data"));
  }

  @Test
  void rejectsCorruptGzip() {
    byte[] gz = TestProfiles.sample().encodeGzipped();
    gz[gz.length - 6] ^= 0x55; // CRC32 of the trailer
    assertError("corrupt gzip data: Corrupt GZIP trailer", gz);
  }

  @Test
  void rejectsTruncatedProtobufWithTheFieldAndOffset() {
    byte[] raw = base().message(2, new Pb().packed(1, 1, 2).packed(2, 5)).strings(STRINGS).toBytes();
    int sampleStart = base().toBytes().length;
    PprofFormatException e = assertThrows(PprofFormatException.class,
        () -> PprofReader.read(Arrays.copyOf(raw, sampleStart + 4)));
    assertEquals("invalid pprof: Profile: length 7 exceeds the 2 bytes left (truncated or corrupt) at byte "
        + (sampleStart + 1), e.getMessage());
    byte[] badVarint = Arrays.copyOf(raw, raw.length + 2);
    badVarint[raw.length] = 0x48; // field 9 (time_nanos), varint
    badVarint[raw.length + 1] = (byte) 0x80; // continuation bit, then nothing
    assertError("invalid pprof: Profile: truncated varint at byte " + (raw.length + 1), badVarint);
    byte[] badWire = Arrays.copyOf(raw, raw.length + 1);
    badWire[raw.length] = 0x4b; // field 9, wire type 3 (groups are not used by profile.proto)
    assertError("invalid pprof: Profile: invalid wire type 3 (field 9) at byte " + raw.length, badWire);
  }

  @Test
  void rejectsDanglingReferencesAndInconsistentTables() {
    Pb good = new Pb().packed(1, 1, 2).packed(2, 5);
    assertError("invalid pprof: sample[0] location_id[1] refers to missing Location 9",
        base().message(2, new Pb().packed(1, 1, 9).packed(2, 5)).strings(STRINGS).toBytes());
    assertError("invalid pprof: sample[0] has 2 values but the profile has 1 sample types",
        base().message(2, new Pb().packed(1, 1).packed(2, 5, 6)).strings(STRINGS).toBytes());
    assertError("invalid pprof: Location 3 line[0] refers to missing Function 7",
        base().message(4, location(3, 7, 1)).message(2, good).strings(STRINGS).toBytes());
    assertError("invalid pprof: Location 3 refers to missing Mapping 2",
        base().message(4, new Pb().varint(1, 3).varint(2, 2)).strings(STRINGS).toBytes());
    assertError("invalid pprof: Function 3 name: string index 99 out of range (string_table has 9 entries)",
        base().message(5, function(3, 99)).strings(STRINGS).toBytes());
    assertError("invalid pprof: sample[0] label thread: string index 42 out of range (string_table has 9 entries)",
        base().message(2, new Pb().packed(2, 1).message(3, new Pb().varint(1, 5).varint(2, 42)))
            .strings(STRINGS).toBytes());
    assertError("invalid pprof: sample_type[0].unit: string index 12 out of range (string_table has 9 entries)",
        new Pb().message(1, valueType(1, 12)).strings(STRINGS).toBytes());
    assertError("invalid pprof: string_table[0] must be \"\", is \"samples\"",
        base().strings(Arrays.copyOfRange(STRINGS, 1, STRINGS.length)).toBytes());
    assertError("invalid pprof: duplicate Location id 2", base().message(4, location(2, 1, 1)).strings(STRINGS).toBytes());
    assertError("invalid pprof: duplicate Function id 1", base().message(5, function(1, 3)).strings(STRINGS).toBytes());
    assertError("invalid pprof: a Location has id 0 (ids must be nonzero)",
        base().message(4, location(0, 1, 1)).strings(STRINGS).toBytes());
  }

  @Test
  void randomCorruptionNeverEscapesAsAnotherException() {
    byte[] raw = TestProfiles.sample().encode();
    Random random = new Random(20250708);
    int rejected = 0;
    for (int round = 0; round < 3000; round++) {
      byte[] data = round % 3 == 0 ? randomBytes(random, 1 + random.nextInt(64)) : raw.clone();
      if (round % 3 != 0) {
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) data[random.nextInt(data.length)] = (byte) random.nextInt();
      }
      try {
        PprofReader.read(data);
      } catch (PprofFormatException e) {
        assertOneLine(e);
        rejected++;
      } catch (RuntimeException e) {
        fail("round " + round + " escaped as " + e, e);
      }
    }
    assertTrue(rejected > 1000, "only " + rejected + " of 3000 corrupt inputs rejected");
  }

  @Test @Timeout(60)
  void aGzipBombIsRefusedAtTheInflateCap() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[1 << 20];
      for (long n = 0; n <= PprofReader.MAX_BYTES; n += zeros.length) gz.write(zeros);
    }
    PprofFormatException e = assertThrows(PprofFormatException.class, () -> PprofReader.read(out.toByteArray()));
    assertTrue(e.getMessage().contains("inflates past 128 MiB: refused"), e.getMessage());
  }

  @Test @Timeout(60)
  void millionsOfEmptySamplesAreRefusedByTheElementBudget() {
    // Two bytes a sample: 4 MB that once decoded into an object graph of gigabytes.
    byte[] data = new byte[2 * (PprofReader.MAX_ELEMENTS + 1)];
    for (int i = 0; i < data.length; i += 2) data[i] = 0x12;
    PprofFormatException e = assertThrows(PprofFormatException.class, () -> PprofReader.read(data));
    assertTrue(e.getMessage().contains("more than 2000000 samples, locations, functions and strings"), e.getMessage());
  }

  @Test
  void aSampleDeeperThanAnyProfilerRecordsIsRefused() {
    long[] ids = new long[PprofReader.MAX_SAMPLE_LOCATIONS + 1];
    Arrays.fill(ids, 1);
    byte[] data = new Pb().message(2, new Pb().packed(1, ids)).strings("").toBytes();
    PprofFormatException e = assertThrows(PprofFormatException.class, () -> PprofReader.read(data));
    assertTrue(e.getMessage().contains("a sample with 8193 locations"), e.getMessage());
  }

  @Test
  void aLocationWithHundredsOfInlinedLinesIsRefused() {
    Pb location = new Pb().varint(1, 1);
    for (int i = 0; i <= PprofReader.MAX_INLINED; i++) location.message(4, new Pb().varint(1, 1));
    byte[] data = new Pb().message(4, location).strings("").toBytes();
    PprofFormatException e = assertThrows(PprofFormatException.class, () -> PprofReader.read(data));
    assertTrue(e.getMessage().contains("Location 1 has over 256 lines"), e.getMessage());
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void assertError(String message, byte[] data) {
    PprofFormatException e = assertThrows(PprofFormatException.class, () -> PprofReader.read(data));
    assertEquals(message, e.getMessage());
  }

  private static void assertOneLine(Exception e) {
    assertFalse(e.getMessage().isBlank());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  private static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
