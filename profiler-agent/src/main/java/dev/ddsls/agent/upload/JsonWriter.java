package dev.ddsls.agent.upload;

/**
 * A minimal streaming JSON writer into a {@link StringBuilder}: objects, arrays, strings, numbers, booleans.
 * Commas are placed automatically. The agent's only JSON writer (event.json, spans-*.jsonl).
 */
final class JsonWriter {
  private final StringBuilder out;
  /** needsComma[depth]: a value was already written at this nesting level. */
  private boolean[] needsComma = new boolean[16];
  private int depth;
  /** A name was just written: the next value must not be preceded by a comma. */
  private boolean afterName;

  JsonWriter() { this(new StringBuilder(256)); }

  JsonWriter(StringBuilder out) { this.out = out; }

  JsonWriter beginObject() { beforeValue(); out.append('{'); push(); return this; }

  JsonWriter endObject() { depth--; out.append('}'); return this; }

  JsonWriter beginArray() { beforeValue(); out.append('['); push(); return this; }

  JsonWriter endArray() { depth--; out.append(']'); return this; }

  /** An object member's name; the next call writes its value. */
  JsonWriter name(String name) {
    beforeValue();
    quote(name);
    out.append(':');
    afterName = true;
    return this;
  }

  /** A string, or {@code null} for a null reference. */
  JsonWriter value(String s) {
    beforeValue();
    if (s == null) out.append("null");
    else quote(s);
    return this;
  }

  JsonWriter value(long n) { beforeValue(); out.append(n); return this; }

  /** An unsigned 64-bit integer (ids), in decimal. */
  JsonWriter valueUnsigned(long n) { beforeValue(); out.append(Long.toUnsignedString(n)); return this; }

  /** A number; NaN and infinities, which JSON cannot express, become {@code null}. Whole values print without ".0". */
  JsonWriter value(double d) {
    beforeValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) out.append("null");
    else if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) out.append((long) d);
    else out.append(d);
    return this;
  }

  JsonWriter value(boolean b) { beforeValue(); out.append(b); return this; }

  public String toString() { return out.toString(); }

  private void push() {
    depth++;
    if (depth == needsComma.length) {
      boolean[] bigger = new boolean[depth * 2];
      System.arraycopy(needsComma, 0, bigger, 0, depth);
      needsComma = bigger;
    }
    needsComma[depth] = false;
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (needsComma[depth]) out.append(',');
    needsComma[depth] = true;
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
          // Control characters must be escaped; U+2028/2029 too, so a line of JSON stays one line for any reader.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append("\\u");
            String hex = Integer.toHexString(c);
            for (int k = hex.length(); k < 4; k++) out.append('0');
            out.append(hex);
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }
}
