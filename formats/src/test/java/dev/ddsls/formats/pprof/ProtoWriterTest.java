package dev.ddsls.formats.pprof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Byte-exact checks against the protobuf wire format (encoding examples from the protobuf documentation). */
class ProtoWriterTest {
  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
    return out;
  }

  @Test
  void varintsAndZeroOmission() {
    ProtoWriter w = new ProtoWriter(0);
    w.int64(1, 150);
    w.int64(2, 0); // proto3 default: not written
    w.bool(3, false);
    w.bool(4, true);
    w.int64(5, -1); // negative int64: ten bytes
    assertArrayEquals(bytes(0x08, 0x96, 0x01, 0x20, 0x01,
        0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), w.toByteArray());
  }

  @Test
  void stringsAreWrittenEvenWhenEmpty() {
    ProtoWriter w = new ProtoWriter(0);
    w.string(6, "");
    w.string(2, "testing");
    assertArrayEquals(bytes(0x32, 0x00, 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'), w.toByteArray());
  }

  @Test
  void packedFieldsCarryTheirByteLength() {
    ProtoWriter w = new ProtoWriter(0);
    w.packed(4, new long[] {9, 3, 270, 86942, 7}, 1, 3);
    w.packed(5, new long[0], 0, 0);
    assertArrayEquals(bytes(0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05), w.toByteArray());
  }

  @Test
  void nestedMessagesLongerThan127BytesGetMultiByteLengths() {
    ProtoWriter w = new ProtoWriter(4);
    int outer = w.startMessage(2);
    int inner = w.startMessage(3);
    String s = "x".repeat(200);
    w.string(1, s);
    w.endMessage(inner);
    w.int64(4, 1);
    w.endMessage(outer);
    byte[] b = w.toByteArray();
    // outer: tag 0x12, length 3+1+2+200+2 = 208 -> d0 01; inner: tag 0x1a, length 203 -> cb 01; string: 0a c8 01
    assertArrayEquals(bytes(0x12, 0xd0, 0x01, 0x1a, 0xcb, 0x01, 0x0a, 0xc8, 0x01), Arrays.copyOf(b, 9));
    assertEquals('x', b[9]);
    assertArrayEquals(bytes(0x20, 0x01), Arrays.copyOfRange(b, b.length - 2, b.length));
    assertEquals(3 + 208, b.length);
  }
}
