package dev.ddsls.agent.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireInputTest {
  /** Hands out at most {@code step} bytes a read, as a socket may. */
  static InputStream trickle(String s, int step) {
    ByteArrayInputStream in = new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    return new InputStream() {
      @Override public int read() { return in.read(); }

      @Override public int read(byte[] b, int off, int len) { return in.read(b, off, Math.min(len, step)); }
    };
  }

  @Test void headAndBodyReadTheSameWhateverTheBufferAndTheReadSizes() throws IOException {
    String wire = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: 8476a536\r\nX-Bare-Lf: yes\nContent-Length: 10\r\n\r\n{\"a\":\"\u00e9b\"}";
    for (int buffer : new int[] {1, 2, 3, 7, 16, 64 * 1024}) {
      for (int step : new int[] {1, 2, 5, 1000}) {
        WireInput in = new WireInput(trickle(wire, step), buffer);
        HttpHead head = HttpIo.readHead(in);
        String at = "buffer " + buffer + ", step " + step;
        assertEquals("HTTP/1.1 200 OK", head.startLine(), at);
        assertEquals("8476a536", head.get("Lambda-Runtime-Aws-Request-Id"), at);
        assertEquals("yes", head.get("X-Bare-Lf"), at);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        assertEquals(10, HttpIo.relayBody(in, head.responseBodyLength("GET"), body, null, new byte[3]), at);
        assertArrayEquals("{\"a\":\"\u00e9b\"}".getBytes(StandardCharsets.ISO_8859_1), body.toByteArray(), at);
        assertEquals(-1, in.read(), at);
      }
    }
  }

  @Test void endOfStreamBeforeAHeadIsNullAndInsideALineIsAnError() throws IOException {
    assertNull(HttpIo.readHead(new WireInput(trickle("", 1), 4)));
    assertNull(HttpIo.readHead(new WireInput(trickle("\r\n", 1), 4)));
    assertThrows(EOFException.class, () -> HttpIo.readHead(new WireInput(trickle("GET / HTTP/1.1\r\nHost: x", 3), 4)));
  }

  @Test void aLineLongerThanTheLimitIsRefusedAcrossRefills() {
    String huge = "GET /" + "a".repeat(70 * 1024) + " HTTP/1.1\r\n\r\n";
    IOException e = assertThrows(IOException.class, () -> HttpIo.readHead(new WireInput(trickle(huge, 4096), 1024)));
    assertEquals("line longer than 65536 bytes", e.getMessage());
  }
}
