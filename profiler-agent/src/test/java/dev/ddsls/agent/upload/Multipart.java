package dev.ddsls.agent.upload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A strict multipart/form-data parser for tests: fails on anything malformed. */
final class Multipart {
  static final class Part {
    final Map<String, String> headers = new LinkedHashMap<>();
    byte[] data;

    String name() { return param("name"); }

    String filename() { return param("filename"); }

    private String param(String p) {
      String cd = headers.get("content-disposition");
      if (cd == null || !cd.startsWith("form-data;")) throw new AssertionError("bad Content-Disposition: " + cd);
      String key = p + "=\"";
      int i = cd.indexOf("; " + key);
      if (i < 0) return null;
      int start = i + 2 + key.length();
      return cd.substring(start, cd.indexOf('"', start));
    }
  }

  static List<Part> parse(String contentType, byte[] body) {
    String prefix = "multipart/form-data; boundary=";
    if (!contentType.startsWith(prefix)) throw new AssertionError("content type " + contentType);
    byte[] delim = ("--" + contentType.substring(prefix.length())).getBytes(StandardCharsets.US_ASCII);
    List<Part> parts = new ArrayList<>();
    int pos = 0;
    if (indexOf(body, delim, 0) != 0) throw new AssertionError("body does not start with the boundary");
    pos = delim.length;
    while (true) {
      if (body[pos] == '-' && body[pos + 1] == '-') {
        if (pos + 4 != body.length || body[pos + 2] != '\r' || body[pos + 3] != '\n') throw new AssertionError("bad closing delimiter");
        return parts;
      }
      if (body[pos] != '\r' || body[pos + 1] != '\n') throw new AssertionError("no CRLF after boundary at " + pos);
      pos += 2;
      Part part = new Part();
      while (true) {
        int eol = indexOf(body, new byte[] {'\r', '\n'}, pos);
        String line = new String(body, pos, eol - pos, StandardCharsets.UTF_8);
        pos = eol + 2;
        if (line.isEmpty()) break;
        int colon = line.indexOf(':');
        part.headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
      }
      byte[] next = new byte[delim.length + 2];
      next[0] = '\r';
      next[1] = '\n';
      System.arraycopy(delim, 0, next, 2, delim.length);
      int end = indexOf(body, next, pos);
      if (end < 0) throw new AssertionError("part not terminated");
      part.data = Arrays.copyOfRange(body, pos, end);
      parts.add(part);
      pos = end + next.length;
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
      return i;
    }
    return -1;
  }
}
