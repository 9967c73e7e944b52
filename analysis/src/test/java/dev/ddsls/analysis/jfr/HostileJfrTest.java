package dev.ddsls.analysis.jfr;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted recordings a few bytes long that used to hang the reader (a constant-pool delta that wraps to 0), ask for
 * arrays over the VM's limit, or overflow the stack (deep metadata, a type holding itself): each is now one error
 * naming the file, in well under the timeout.
 */
class HostileJfrTest {
  @TempDir Path tmp;

  /** A chunk: header, then the metadata event, then one checkpoint event. */
  private static byte[] chunk(byte[] metadata, byte[] checkpoint) {
    int metadataAt = 68, poolAt = metadataAt + metadata.length;
    long size = poolAt + checkpoint.length;
    Bytes b = new Bytes();
    b.raw('F', 'L', 'R', 0).raw(0, 2, 0, 0).i8(size).i8(poolAt).i8(metadataAt).i8(0).i8(0).i8(0).i8(1_000_000_000L).raw(0, 0, 0, 0);
    b.out.writeBytes(metadata);
    b.out.writeBytes(checkpoint);
    return b.out.toByteArray();
  }

  /** A metadata event: string table, then the element tree (already encoded). */
  private static byte[] metadata(List<String> strings, byte[] elements) {
    Bytes body = new Bytes().varint(0).varint(0).varint(0).varint(0).varint(strings.size());
    for (String s : strings) body.string(s);
    body.out.writeBytes(elements);
    return sized(body);
  }

  /** A checkpoint event whose constant pools are already encoded. */
  private static byte[] checkpoint(long delta, int pools, byte[] poolBytes) {
    Bytes body = new Bytes().varint(1).varint(0).varint(0).varint(delta).raw(0).varint(pools);
    body.out.writeBytes(poolBytes);
    return sized(body);
  }

  /** An event's size prefix counts itself: written as a fixed 5-byte varint so it does not change the size. */
  private static byte[] sized(Bytes body) {
    int n = body.out.size() + 5;
    Bytes b = new Bytes().raw(n & 0x7f | 0x80, n >>> 7 & 0x7f | 0x80, n >>> 14 & 0x7f | 0x80, n >>> 21 & 0x7f | 0x80, n >>> 28 & 0x7f);
    b.out.writeBytes(body.out.toByteArray());
    return b.out.toByteArray();
  }

  private static final byte[] EMPTY_TREE = new Bytes().varint(0).varint(0).varint(0).out.toByteArray();

  private void assertOneLineError(byte[] recording, String expected) throws IOException {
    Path f = tmp.resolve("hostile.jfr");
    Files.write(f, recording);
    IOException e = assertThrows(IOException.class, () -> JfrProfiles.read(f));
    assertTrue(e.getMessage().startsWith(f + ": not a readable JFR recording ("), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test @Timeout(10)
  void aConstantPoolDeltaThatWrapsToZeroIsRefusedNotFollowedForever() throws IOException {
    byte[] rec = chunk(metadata(List.of(), EMPTY_TREE), checkpoint(1L << 32, 0, new byte[0]));
    assertOneLineError(rec, "points outside its chunk");
  }

  @Test @Timeout(10)
  void aConstantPoolChainThatLoopsIsRefused() throws IOException {
    // Two checkpoints whose deltas point at each other.
    int len = checkpoint(0, 0, new byte[0]).length;
    byte[] meta = metadata(List.of(), EMPTY_TREE);
    Bytes pools = new Bytes();
    pools.out.writeBytes(checkpoint(len, 0, new byte[0]));
    pools.out.writeBytes(checkpoint(-len, 0, new byte[0]));
    assertOneLineError(chunk(meta, pools.out.toByteArray()), "loops back");
  }

  @Test @Timeout(10)
  void aStringTableLargerThanTheFileIsRefusedBeforeAllocating() throws IOException {
    Bytes body = new Bytes().varint(0).varint(0).varint(0).varint(0).varint(Integer.MAX_VALUE);
    assertOneLineError(chunk(sized(body), checkpoint(0, 0, new byte[0])), "metadata string table of 2147483647");
  }

  @Test @Timeout(10)
  void aCharArrayStringLongerThanTheFileIsRefused() throws IOException {
    Bytes body = new Bytes().varint(0).varint(0).varint(0).varint(0).varint(1).raw(4).varint(Integer.MAX_VALUE - 8);
    assertOneLineError(chunk(sized(body), checkpoint(0, 0, new byte[0])), "string length");
  }

  @Test @Timeout(10)
  void deeplyNestedMetadataIsRefusedNotAStackOverflow() throws IOException {
    Bytes tree = new Bytes();
    for (int i = 0; i < 100_000; i++) tree.varint(0).varint(0).varint(1); // tag, no attributes, one child
    tree.varint(0).varint(0).varint(0);
    assertOneLineError(chunk(metadata(List.of(), tree.out.toByteArray()), checkpoint(0, 0, new byte[0])), "nested over");
  }

  @Test @Timeout(10)
  void aTypeThatHoldsItselfByValueIsRefusedNotAStackOverflow() throws IOException {
    // class A (id 1) { A a; } and a constant pool of one A.
    List<String> strings = List.of("class", "field", "name", "id", "A", "1", "a");
    Bytes tree = new Bytes().varint(9).varint(0).varint(1); // root
    tree.varint(0).varint(2).varint(2).varint(4).varint(3).varint(5).varint(1); // class name=A id=1, one child
    tree.varint(1).varint(2).varint(2).varint(6).varint(0).varint(5).varint(0); // field name=a class=1
    byte[] pool = new Bytes().varint(1).varint(1).varint(7).out.toByteArray(); // type 1, one entry, id 7
    assertOneLineError(chunk(metadata(strings, tree.out.toByteArray()), checkpoint(0, 1, pool)), "nests over");
  }

  /** Big-endian numbers, JFR varints and UTF-8 strings. */
  private static final class Bytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes raw(int... bytes) {
      for (int b : bytes) out.write(b);
      return this;
    }

    Bytes i8(long v) {
      for (int s = 56; s >= 0; s -= 8) out.write((int) (v >>> s) & 0xff);
      return this;
    }

    Bytes varint(long v) {
      for (int i = 0; i < 8; i++) {
        if ((v & ~0x7fL) == 0) {
          out.write((int) v);
          return this;
        }
        out.write((int) (v & 0x7f | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
      return this;
    }

    Bytes string(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      raw(3).varint(utf8.length);
      out.writeBytes(utf8);
      return this;
    }
  }
}
