package dev.ddsls.collector;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc's native library, kept in ddsls's cache directory once per version and loaded from there.
 *
 * <p>Left to itself, sqlite-jdbc copies its library (1.1 MB) into {@code java.io.tmpdir} under a new name at every
 * start and deletes it at exit; a collector that is killed (SIGKILL, the OOM killer) leaves it behind, with a lock
 * file that keeps sqlite-jdbc's own clean-up from ever removing it. A test suite that kills collectors to prove their
 * stores durable left 10 MB a run. Here the library is written once (a temporary file moved into place, so a reader
 * never sees half of it) and sqlite-jdbc is pointed at it ({@code org.sqlite.lib.path} and {@code org.sqlite.lib.name},
 * which it tries before extracting). Whatever goes wrong (no cache directory, a read-only disk, a platform without a
 * bundled library) leaves sqlite-jdbc's own way in place; so does a library path the user set.
 */
public final class SqliteLibrary {
  static final String PATH = "org.sqlite.lib.path", NAME = "org.sqlite.lib.name";

  private SqliteLibrary() {}

  /**
   * Points sqlite-jdbc at its library under {@code cacheDir/sqlite-jdbc/VERSION/OS/ARCH}, written there if it is not;
   * returns that file, or null where sqlite-jdbc keeps its own way. Call it before the first connection.
   */
  public static Path useCache(Path cacheDir) {
    if (System.getProperty(PATH) != null) return null;
    try {
      String resourceDir = LibraryLoaderUtil.getNativeLibResourcePath(); // /org/sqlite/native/Linux/x86_64
      String name = LibraryLoaderUtil.getNativeLibName();
      URL resource = SQLiteJDBCLoader.class.getResource(resourceDir + "/" + name);
      if (resource == null) return null;
      int platform = resourceDir.lastIndexOf("/native/");
      if (platform < 0) return null;
      Path versions = cacheDir.resolve("sqlite-jdbc");
      String version = SQLiteJDBCLoader.getVersion();
      Path dir = versions.resolve(version).resolve(resourceDir.substring(platform + "/native/".length()));
      Path lib = dir.resolve(name);
      URLConnection c = resource.openConnection();
      long size = c.getContentLengthLong();
      if (!Files.isRegularFile(lib) || (size >= 0 && Files.size(lib) != size)) {
        Files.createDirectories(dir);
        Path part = Files.createTempFile(dir, name, ".part");
        try (InputStream in = c.getInputStream()) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
          Files.move(part, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(part);
        }
        removeOtherVersions(versions, version);
      }
      System.setProperty(PATH, dir.toString());
      System.setProperty(NAME, name);
      return lib;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Libraries of versions this ddsls no longer loads; one a running older ddsls has mapped stays mapped. */
  private static void removeOtherVersions(Path versions, String keep) {
    try (Stream<Path> all = Files.list(versions)) {
      all.filter(v -> !v.getFileName().toString().equals(keep)).forEach(SqliteLibrary::removeTree);
    } catch (IOException e) {
      // another day
    }
  }

  private static void removeTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // left for the next upgrade
        }
      });
    } catch (IOException e) {
      // left for the next upgrade
    }
  }
}
