package example;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * A rule table built eagerly in a static initialiser: the planted cold-start cause. {@link #build} burns a known
 * amount of CPU (hashing), so a profile of init must show {@code example.Rules.build} among its top frames.
 */
public final class Rules {
  private final Map<String, Integer> table;

  private Rules(Map<String, Integer> table) { this.table = table; }

  /** Builds {@code rounds} rules; about 3.5 ms of CPU per 1,000 rounds with C1 only (Lambda's default). */
  public static Rules build(int rounds) {
    Map<String, Integer> table = new HashMap<>();
    byte[] digest = "seed".getBytes(StandardCharsets.UTF_8);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < rounds; i++) {
        for (int j = 0; j < 8; j++) digest = sha.digest(digest);
        if ((digest[0] & 0x3f) == 0) table.put(Integer.toHexString(digest[1] & 0xff), i);
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return new Rules(table);
  }

  public int match(String key) { return table.getOrDefault(key, -1); }

  public int size() { return table.size(); }

  static int roundsFromEnv(String name, int dflt) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) return dflt;
    return Integer.parseInt(v.trim());
  }
}
