package dev.ddsls.agent.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for event payloads: objects become {@code Map<String,Object>}, arrays {@code List<Object>},
 * numbers {@code Double} or {@code Long}, plus String, Boolean and null. Nesting is bounded.
 */
final class Json {
  private static final int MAX_DEPTH = 64;
  private final String s;
  private int i;

  private Json(String s) { this.s = s; }

  /** Parses {@code text}; throws {@link IllegalArgumentException} with the position on malformed input. */
  static Object parse(String text) {
    Json p = new Json(text);
    p.skipSpace();
    Object v = p.value(0);
    p.skipSpace();
    if (p.i != text.length()) throw p.error("trailing characters");
    return v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object v) { return v instanceof Map ? (Map<String, Object>) v : null; }

  @SuppressWarnings("unchecked")
  static List<Object> array(Object v) { return v instanceof List ? (List<Object>) v : null; }

  /** Follows a path of object keys and array indexes ({@code Integer}); null when any step is missing. */
  static Object at(Object root, Object... path) {
    Object cur = root;
    for (Object step : path) {
      if (step instanceof Integer) {
        List<Object> a = array(cur);
        int k = (Integer) step;
        if (a == null || k >= a.size()) return null;
        cur = a.get(k);
      } else {
        Map<String, Object> o = object(cur);
        if (o == null) return null;
        cur = o.get((String) step);
      }
    }
    return cur;
  }

  static String string(Object v) { return v instanceof String ? (String) v : null; }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
    if (i >= s.length()) throw error("unexpected end");
    char c = s.charAt(i);
    switch (c) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return literal("true", Boolean.TRUE);
      case 'f': return literal("false", Boolean.FALSE);
      case 'n': return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("unexpected '" + c + "'");
    }
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    skipSpace();
    if (peek() == '}') { i++; return m; }
    while (true) {
      skipSpace();
      if (peek() != '"') throw error("expected a key");
      String key = string();
      skipSpace();
      if (peek() != ':') throw error("expected ':'");
      i++;
      skipSpace();
      m.put(key, value(depth + 1));
      skipSpace();
      char c = peek();
      i++;
      if (c == '}') return m;
      if (c != ',') throw error("expected ',' or '}'");
    }
  }

  private List<Object> array(int depth) {
    List<Object> a = new ArrayList<>();
    i++;
    skipSpace();
    if (peek() == ']') { i++; return a; }
    while (true) {
      skipSpace();
      a.add(value(depth + 1));
      skipSpace();
      char c = peek();
      i++;
      if (c == ']') return a;
      if (c != ',') throw error("expected ',' or ']'");
    }
  }

  private String string() {
    i++;
    StringBuilder b = null;
    int start = i;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        String out = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
        i++;
        return out;
      }
      if (c == '\\') {
        if (b == null) b = new StringBuilder();
        b.append(s, start, i);
        if (++i >= s.length()) break;
        char e = s.charAt(i++);
        switch (e) {
          case '"': case '\\': case '/': b.append(e); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'n': b.append('\n'); break;
          case 'r': b.append('\r'); break;
          case 't': b.append('\t'); break;
          case 'u':
            if (i + 4 > s.length()) throw error("bad \\u escape");
            try {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            i += 4;
            break;
          default: throw error("bad escape \\" + e);
        }
        start = i;
      } else {
        i++;
      }
    }
    throw error("unterminated string");
  }

  private Object number() {
    int start = i;
    boolean integral = true;
    if (peek() == '-') i++;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') i++;
      else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { integral = false; i++; }
      else break;
    }
    String n = s.substring(start, i);
    try {
      if (integral && n.length() < 19) return Long.parseLong(n);
      return Double.parseDouble(n);
    } catch (NumberFormatException e) {
      throw error("bad number '" + n + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) throw error("unexpected token");
    i += word.length();
    return v;
  }

  private char peek() { return i < s.length() ? s.charAt(i) : '\0'; }

  private void skipSpace() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') i++;
      else break;
    }
  }

  private IllegalArgumentException error(String what) { return new IllegalArgumentException("invalid JSON at offset " + i + ": " + what); }
}
