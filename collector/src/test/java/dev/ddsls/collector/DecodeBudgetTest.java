package dev.ddsls.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The memory budget as the decoders use it: amplifying payloads stop at the budget, a good one fits. */
class DecodeBudgetTest {
  @Test void fiftyMillionEmptySpanMapsStopAtTheBudget() {
    int n = 50_000_000;
    byte[] body = new byte[6 + n];
    ByteBuffer.wrap(body).put((byte) 0x91).put((byte) 0xdd).putInt(n);
    Arrays.fill(body, 6, body.length, (byte) 0x80);
    MemoryBudget budget = new MemoryBudget(64L << 20);
    MemoryBudget.Share share = budget.share();
    MemoryBudget.Exceeded e = assertThrows(MemoryBudget.Exceeded.class, () -> TraceDecoder.v04Msgpack(body, new DecodeCost(share, "decoding")));
    assertTrue(e.alone, "this request alone needs more than the budget: 413");
    assertTrue(share.held() <= 64L << 20);
    share.close();
    assertEquals(0, budget.used());
  }

  @Test void aRequestFindingTheBudgetTakenIsToldBusyNotTooLarge() throws Exception {
    MemoryBudget budget = new MemoryBudget(10L << 20);
    MemoryBudget.Share other = budget.share();
    other.take(8L << 20, "another body");
    MemoryBudget.Share mine = budget.share();
    MemoryBudget.Exceeded e = assertThrows(MemoryBudget.Exceeded.class, () -> mine.take(4L << 20, "a body"));
    assertFalse(e.alone);
    other.close();
    mine.take(4L << 20, "a body");
    assertEquals(4L << 20, budget.used());
  }

  @Test void aJsonBodyOfEmptySpanObjectsStopsAtTheBudget() {
    StringBuilder sb = new StringBuilder("[[");
    for (int i = 0; i < 2_000_000; i++) sb.append(i == 0 ? "{}" : ",{}");
    byte[] body = sb.append("]]").toString().getBytes(StandardCharsets.US_ASCII);
    MemoryBudget.Share share = new MemoryBudget(32L << 20).share();
    assertThrows(MemoryBudget.Exceeded.class, () -> TraceDecoder.v04Json(body, new DecodeCost(share, "decoding")));
  }

  @Test void jsonWithContentAfterTheTracesIsRefused() {
    byte[] body = "[[{\"trace_id\":1,\"span_id\":2}]] [[]]".getBytes(StandardCharsets.US_ASCII);
    Malformed e = assertThrows(Malformed.class, () -> TraceDecoder.v04Json(body, DecodeCost.unbounded()));
    assertTrue(e.getMessage().contains("after the traces"), e.getMessage());
  }

  @Test void oneInflateBudgetForAllAttachmentsOfAnUpload() throws Exception {
    byte[] strings = new byte[1 << 20];
    for (int i = 0; i < strings.length; i += 2) strings[i] = 0x32; // empty string-table entries: a valid pprof
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      for (int i = 0; i < 8; i++) out.write(strings);
    }
    MemoryBudget.Share share = new MemoryBudget(1L << 30).share();
    Attachment.Inflate inflate = new Attachment.Inflate(share, 20L << 20);
    Attachment a = Attachment.of("a.pprof", gz.toByteArray(), inflate);
    assertEquals(8 << 20, a.content.length);
    Attachment.of("b.pprof", gz.toByteArray(), inflate);
    MemoryBudget.Exceeded e = assertThrows(MemoryBudget.Exceeded.class, () -> Attachment.of("c.pprof", gz.toByteArray(), inflate));
    assertTrue(e.alone && e.getMessage().contains("c.pprof"), e.getMessage());
    assertTrue(share.held() <= 20L << 20, "the buffers taken stay within the upload's inflate budget: " + share.held());
  }

  @Test void boundarySearchFindsWhatTheNaiveSearchFinds() {
    Random r = new Random(15);
    for (int round = 0; round < 2000; round++) {
      byte[] b = new byte[r.nextInt(200)];
      for (int i = 0; i < b.length; i++) b[i] = (byte) "-ab\r\n".charAt(r.nextInt(5));
      byte[] pat = new byte[1 + r.nextInt(6)];
      for (int i = 0; i < pat.length; i++) pat[i] = (byte) "-ab\r\n".charAt(r.nextInt(5));
      int from = r.nextInt(b.length + 1);
      assertEquals(naive(b, pat, from), Multipart.indexOf(b, pat, from), Arrays.toString(b) + " " + Arrays.toString(pat) + " from " + from);
    }
  }

  private static int naive(byte[] b, byte[] pat, int from) {
    outer:
    for (int i = from; i <= b.length - pat.length; i++) {
      for (int j = 0; j < pat.length; j++) if (b[i + j] != pat[j]) continue outer;
      return i;
    }
    return -1;
  }

}
