package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test void parsesAllValueKinds() {
    Object v = Json.parse(" {\"a\":[1,-2.5e3,true,false,null,\"x\\n\\u00e9\\\"\"],\"b\":{}} ");
    assertEquals(List.of(1L, -2500.0, true, false), ((List<?>) Json.at(v, "a")).subList(0, 4));
    assertEquals("x\n\u00e9\"", Json.at(v, "a", 5));
    assertEquals(Map.of(), Json.at(v, "b"));
    assertEquals(null, Json.at(v, "a", 9));
    assertEquals(null, Json.at(v, "c", "d"));
  }

  @Test void rejectsMalformedInputWithPosition() {
    for (String bad : new String[] {"{", "{\"a\":}", "[1,]", "\"open", "{\"a\":1}x", "tru", "[\"\\q\"]"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
      assertEquals(true, e.getMessage().startsWith("invalid JSON at offset"), e.getMessage());
    }
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 100; i++) deep.append('[');
    assertThrows(IllegalArgumentException.class, () -> Json.parse(deep.toString()));
  }
}
