package dev.ddsls.cli.coldstart;

import dev.ddsls.cli.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The function's deployment package unpacked as Lambda unpacks it into {@code /var/task}: a fat jar's classes at the
 * root, or the Gradle/Maven zip layout (classes at the root, dependencies in {@code lib/*.jar}). The runtime interface
 * client builds its class loader from that directory: the working directory, then {@code lib/*.jar} sorted by name
 * (aws-lambda-java-libs, {@code CustomerClassLoader}), so the function's classes are read from files, not inflated from
 * the jar on every load.
 */
final class TaskRoot {
  /** Lambda's limit for a deployment package unzipped: a package bigger than that cannot be deployed. */
  static final long MAX_UNZIPPED_BYTES = 250L * 1024 * 1024;
  static final String DIR = "task-root";

  /** How the package was laid out: {@code jar} (classes at the root) or {@code zip-lib} (also {@code lib/*.jar}). */
  enum Layout {
    JAR("jar"), ZIP_LIB("zip-lib");

    final String label;

    Layout(String label) { this.label = label; }
  }

  final Path dir;
  final Layout layout;
  final int libJars;

  private TaskRoot(Path dir, Layout layout, int libJars) {
    this.dir = dir;
    this.layout = layout;
    this.libJars = libJars;
  }

  /**
   * Unpacks {@code pkg} into {@code dir} (created, must not exist with content). Entries that would leave the directory,
   * and packages bigger unzipped than Lambda accepts, are refused with one line naming the package (exit 2).
   */
  static TaskRoot unpack(Path pkg, Path dir) { return unpack(pkg, dir, null); }

  /**
   * {@link #unpack}, through {@code cache} when it is not null: {@code dir} is then a link to the cache's copy of the
   * package, unpacked once per content. A cache that cannot serve (unwritable, full) costs only the time of unpacking
   * into {@code dir} as without one.
   */
  static TaskRoot unpack(Path pkg, Path dir, TaskRootCache cache) {
    try {
      deleteTree(dir);
      Files.createDirectories(dir.toAbsolutePath().getParent());
      Path files = cache == null ? null : cached(cache, pkg);
      if (files == null || !linked(dir, files)) {
        unpackInto(pkg, dir);
        files = dir;
      }
      int libJars = 0;
      if (Files.isDirectory(files.resolve("lib"))) {
        try (Stream<Path> lib = Files.list(files.resolve("lib"))) {
          libJars = (int) lib.filter(j -> isLibJar("lib/" + j.getFileName()) && Files.isRegularFile(j)).count();
        }
      }
      return new TaskRoot(dir, libJars > 0 ? Layout.ZIP_LIB : Layout.JAR, libJars);
    } catch (ZipException e) {
      throw Cli.Failure.usage(pkg + ": not a readable jar or zip (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot unpack " + pkg + " into " + dir + ": " + e);
    }
  }

  /** The cache's copy of the package, or null when the cache cannot serve; a package that is no zip is thrown. */
  private static Path cached(TaskRootCache cache, Path pkg) throws ZipException {
    try {
      return cache.get(pkg);
    } catch (ZipException e) {
      throw e;
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether {@code dir} could be made a link to {@code files}: not where the file system has no links. */
  private static boolean linked(Path dir, Path files) {
    try {
      Files.createSymbolicLink(dir, files);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Unpacks {@code pkg} into {@code dir}, which must not exist or be empty. */
  static void unpackInto(Path pkg, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path root = dir.toAbsolutePath().normalize();
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    // Directories made so far: creating a package's 12,000 files asked again for the parent of each, an exception
    // (it exists) a time.
    Set<Path> made = new HashSet<>();
    made.add(root);
    try (ZipFile zip = new ZipFile(pkg.toFile())) {
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
          if (target.equals(root)) continue;
          throw Cli.Failure.usage(pkg + ": entry '" + e.getName() + "' lies outside the package's root; Lambda would not unpack it");
        }
        if (e.isDirectory()) {
          if (made.add(target)) Files.createDirectories(target);
          continue;
        }
        if (made.add(target.getParent())) Files.createDirectories(target.getParent());
        try (InputStream in = zip.getInputStream(e); OutputStream out = Files.newOutputStream(target)) {
          for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > MAX_UNZIPPED_BYTES) {
              throw Cli.Failure.usage(pkg + ": more than " + (MAX_UNZIPPED_BYTES >> 20)
                  + " MB unzipped, above Lambda's limit for a deployment package");
            }
            out.write(buf, 0, n);
          }
        }
      }
    }
  }

  /** A jar directly in {@code lib/}: what the runtime client puts on its class loader after the root. */
  static boolean isLibJar(String entry) {
    return entry.startsWith("lib/") && entry.endsWith(".jar") && entry.indexOf('/', 4) < 0 && entry.length() > "lib/.jar".length();
  }

  /** Deletes {@code root} and what is under it; a link is deleted, not what it points to. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
    }
  }
}
