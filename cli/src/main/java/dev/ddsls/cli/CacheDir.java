package dev.ddsls.cli;

import java.nio.file.Path;
import java.util.Map;

/** Where ddsls keeps what it can make again: {@code $DDSLS_CACHE_DIR}, else {@code $XDG_CACHE_HOME/ddsls}, else {@code ~/.cache/ddsls}. */
public final class CacheDir {
  public static final String ENV = "DDSLS_CACHE_DIR";

  private CacheDir() {}

  public static Path of(Map<String, String> env) {
    String own = env.get(ENV);
    if (own != null && !own.isBlank()) return Path.of(own).toAbsolutePath();
    String xdg = env.get("XDG_CACHE_HOME");
    return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("ddsls")
        .toAbsolutePath();
  }
}
