package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/** Checks the writer byte for byte against msgpack-core's packer, which also picks the smallest encodings. */
class MsgPackWriterTest {
  private static final long[] INTS = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295L, 4294967296L, Long.MAX_VALUE,
      -1, -32, -33, -128, -129, -32768, -32769, Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, Long.MIN_VALUE};

  @Test
  void integersUseTheSmallestEncoding() throws Exception {
    for (long v : INTS) {
      MessageBufferPacker ref = MessagePack.newDefaultBufferPacker();
      ref.packLong(v);
      assertArrayEquals(ref.toByteArray(), new MsgPackWriter().int64(v).toByteArray(), "int64 " + v);
    }
  }

  @Test
  void uint64CoversTheFullUnsignedRange() throws Exception {
    long[] values = {0, 200, 70000, -1L, Long.MIN_VALUE, 0xDEADBEEFCAFEBABEL};
    MsgPackWriter w = new MsgPackWriter();
    for (long v : values) w.uint64(v);
    MessageUnpacker u = MessagePack.newDefaultUnpacker(w.toByteArray());
    for (long v : values) assertEquals(new BigInteger(Long.toUnsignedString(v)), u.unpackBigInteger());
    assertFalse(u.hasNext());
  }

  @Test
  void stringsBinariesHeadersAndScalarsMatchTheReference() throws Exception {
    MessageBufferPacker ref = MessagePack.newDefaultBufferPacker();
    MsgPackWriter w = new MsgPackWriter(1);
    for (int len : new int[] {0, 31, 32, 255, 256, 65535, 65536}) {
      String s = "x".repeat(len);
      ref.packString(s);
      w.str(s);
    }
    String unicode = "héllo \u2028 \uD83D\uDE00";
    ref.packString(unicode);
    w.str(unicode);
    for (int len : new int[] {0, 255, 256, 65536}) {
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) b[i] = (byte) (i * 31);
      ref.packBinaryHeader(len).writePayload(b);
      w.bin(b);
    }
    for (int n : new int[] {0, 15, 16, 65535, 65536}) {
      ref.packArrayHeader(n).packMapHeader(n);
      w.arrayHeader(n).mapHeader(n);
    }
    ref.packNil().packBoolean(true).packBoolean(false).packDouble(1.5).packDouble(Double.NaN);
    w.nil().bool(true).bool(false).float64(1.5).float64(Double.NaN);
    assertArrayEquals(ref.toByteArray(), w.toByteArray());
    assertEquals(ref.toByteArray().length, w.size());
  }
}
