package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.Cli;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskRootTest {
  @TempDir Path tmp;

  private Path zip(String name, Map<String, String> entries) throws Exception {
    Path z = tmp.resolve(name);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return z;
  }

  @Test
  void aFatJarUnpacksToClassesAtTheRoot() throws Exception {
    TaskRoot t = TaskRoot.unpack(zip("fn.jar", Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n", "example/H.class", "cafe")),
        tmp.resolve("out/task-root"));
    assertEquals(TaskRoot.Layout.JAR, t.layout);
    assertEquals("cafe", Files.readString(tmp.resolve("out/task-root/example/H.class")));
    assertEquals(0, t.libJars);
  }

  @Test
  void theZipLayoutKeepsItsLibJarsAndReplacesAnEarlierUnpack() throws Exception {
    Path dir = tmp.resolve("out/task-root");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("stale.txt"), "from an earlier package");
    TaskRoot t = TaskRoot.unpack(zip("fn.zip", Map.of("example/H.class", "cafe", "lib/a.jar", "PK", "lib/b.jar", "PK",
        "lib/nested/c.jar", "PK")), dir);
    assertEquals(TaskRoot.Layout.ZIP_LIB, t.layout);
    assertEquals(2, t.libJars, "only lib/*.jar reach the runtime client's class loader");
    assertTrue(Files.isRegularFile(dir.resolve("lib/a.jar")));
    assertFalse(Files.exists(dir.resolve("stale.txt")));
  }

  @Test
  void anEntryLeavingTheRootIsRefusedNamingThePackage() throws Exception {
    Path evil = zip("evil.zip", Map.of("../outside.class", "x"));
    Cli.Failure f = assertThrows(Cli.Failure.class, () -> TaskRoot.unpack(evil, tmp.resolve("task-root")));
    assertTrue(f.getMessage().contains("evil.zip") && f.getMessage().contains("../outside.class"), f.getMessage());
    assertFalse(Files.exists(tmp.resolve("outside.class")));
  }

  @Test
  void aFileWhereADirectoryMustGoIsOneLineNamingThePackage() throws Exception {
    Path clash = tmp.resolve("clash.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(clash))) {
      out.putNextEntry(new ZipEntry("a"));
      out.closeEntry();
      out.putNextEntry(new ZipEntry("a/b.class"));
      out.closeEntry();
    }
    Cli.Failure f = assertThrows(Cli.Failure.class, () -> TaskRoot.unpack(clash, tmp.resolve("task-root")));
    assertEquals(Cli.UNAVAILABLE, f.exitCode);
    assertTrue(f.getMessage().startsWith("cannot unpack " + clash), f.getMessage());
  }

  @Test
  void aPackageIsUnpackedOnceIntoTheCacheAndEachOutputLinksToIt() throws Exception {
    TaskRootCache cache = new TaskRootCache(tmp.resolve("cache"), 4);
    Path pkg = zip("fn.zip", Map.of("example/H.class", "cafe", "lib/a.jar", "PK"));
    TaskRoot first = TaskRoot.unpack(pkg, tmp.resolve("one/task-root"), cache);
    assertTrue(Files.isSymbolicLink(first.dir), "a link to the cache's copy");
    Path copy = first.dir.toRealPath();
    assertEquals(tmp.resolve("cache").toRealPath(), copy.getParent());
    Path cls = copy.resolve("example/H.class");
    Files.setLastModifiedTime(cls, FileTime.fromMillis(1_000));

    TaskRoot second = TaskRoot.unpack(pkg, tmp.resolve("two/task-root"), cache);
    assertEquals(copy, second.dir.toRealPath(), "the same copy");
    assertEquals(1_000, Files.getLastModifiedTime(cls).toMillis(), "not unpacked again");
    assertEquals(TaskRoot.Layout.ZIP_LIB, second.layout);
    assertEquals(1, second.libJars);

    TaskRoot other = TaskRoot.unpack(zip("fn2.zip", Map.of("example/H.class", "babe")), tmp.resolve("three/task-root"), cache);
    assertFalse(other.dir.toRealPath().equals(copy), "other content, another copy");
    assertEquals("babe", Files.readString(other.dir.resolve("example/H.class")));
    assertEquals(TaskRoot.Layout.JAR, other.layout);

    TaskRoot again = TaskRoot.unpack(pkg, tmp.resolve("one/task-root"), cache);
    assertEquals(copy, again.dir.toRealPath(), "a link replaced by a link, the copy kept");
  }

  @Test
  void theLeastRecentlyUsedCopiesBeyondTheLimitAndAbandonedPartsAreRemoved() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("cache"));
    for (int i = 1; i <= 3; i++) {
      Path old = Files.createDirectories(root.resolve("old-" + i));
      Files.writeString(old.resolve("x.class"), "x");
      Files.setLastModifiedTime(old, FileTime.fromMillis(i * 1_000L));
    }
    Path abandoned = Files.createDirectories(root.resolve("k.part-" + Long.MAX_VALUE));
    Path unpacking = Files.createDirectories(root.resolve("k.part-" + ProcessHandle.current().pid()));
    new TaskRootCache(root, 2).get(zip("fn.jar", Map.of("example/H.class", "cafe")));
    assertTrue(Files.isDirectory(root.resolve("old-3")), "the most recent of the old ones is kept with the new one");
    assertFalse(Files.exists(root.resolve("old-2")));
    assertFalse(Files.exists(root.resolve("old-1")));
    assertFalse(Files.exists(abandoned), "its process is gone");
    assertTrue(Files.exists(unpacking), "its process is alive");
  }

  /**
   * Another process using a copy (a coldstart of that package, running) holds it: this one neither waits for it to
   * end nor removes the copy it uses, however old.
   */
  @Test
  @Tag("e2e")
  void aCopyInUseByAnotherProcessIsNeitherWaitedForNorRemoved() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("cache"));
    Path pkg = zip("fn.jar", Map.of("example/H.class", "cafe"));
    String key = TaskRootCache.key(pkg);
    Files.writeString(Files.createDirectories(root.resolve(key + "/example")).resolve("H.class"), "cafe");
    Path old = Files.createDirectories(root.resolve("in-use-elsewhere"));
    Files.setLastModifiedTime(old, FileTime.fromMillis(1_000));
    Path holder = Files.writeString(tmp.resolve("Hold.java"), """
        import java.nio.channels.FileChannel;
        import java.nio.file.Path;
        import java.nio.file.StandardOpenOption;
        public class Hold {
          public static void main(String[] files) throws Exception {
            for (String f : files) {
              FileChannel c = FileChannel.open(Path.of(f), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
              c.lock(1, 1, true);
            }
            System.out.println("held");
            Thread.sleep(120_000);
          }
        }
        """);
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), holder.toString(),
        root.resolve(key + ".lock").toString(), root.resolve("in-use-elsewhere.lock").toString()).redirectErrorStream(true).start();
    try {
      assertEquals("held", new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine());
      ExecutorService one = Executors.newSingleThreadExecutor();
      try {
        Path entry = one.submit(() -> new TaskRootCache(root, 1).get(pkg)).get(60, TimeUnit.SECONDS);
        assertEquals(root.resolve(key), entry, "the copy the other process unpacked");
      } finally {
        one.shutdownNow();
      }
      assertTrue(Files.isDirectory(old), "beyond the one kept, but in use");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aCopyRemovedByHandWhileThisProcessHoldsItIsUnpackedIntoTheOutput() throws Exception {
    TaskRootCache cache = new TaskRootCache(tmp.resolve("cache"), 4);
    Path pkg = zip("fn.jar", Map.of("example/H.class", "cafe"));
    TaskRoot.deleteTree(TaskRoot.unpack(pkg, tmp.resolve("one/task-root"), cache).dir.toRealPath());
    TaskRoot t = TaskRoot.unpack(pkg, tmp.resolve("two/task-root"), cache);
    assertFalse(Files.isSymbolicLink(t.dir));
    assertEquals("cafe", Files.readString(t.dir.resolve("example/H.class")));
  }

  @Test
  void aCacheThatCannotServeLeavesTheUnpackToTheOutput() throws Exception {
    Path notADirectory = Files.writeString(tmp.resolve("cache"), "a file");
    TaskRoot t = TaskRoot.unpack(zip("fn.jar", Map.of("example/H.class", "cafe")), tmp.resolve("out/task-root"),
        new TaskRootCache(notADirectory.resolve("task-roots"), 4));
    assertFalse(Files.isSymbolicLink(t.dir));
    assertEquals("cafe", Files.readString(t.dir.resolve("example/H.class")));
  }

  @Test
  void aPackageThatIsNoZipIsOneLineNamingItThroughTheCacheToo() throws Exception {
    Path notZip = Files.writeString(tmp.resolve("fn.jar"), "not a zip");
    Cli.Failure f = assertThrows(Cli.Failure.class,
        () -> TaskRoot.unpack(notZip, tmp.resolve("task-root"), new TaskRootCache(tmp.resolve("cache"), 4)));
    assertEquals(Cli.USAGE, f.exitCode);
    assertTrue(f.getMessage().startsWith(notZip + ": not a readable jar or zip"), f.getMessage());
  }

  @Test
  void libJarsAreTheJarsDirectlyInLib() {
    assertTrue(TaskRoot.isLibJar("lib/crac-0.1.3.jar"));
    assertFalse(TaskRoot.isLibJar("lib/x/y.jar"));
    assertFalse(TaskRoot.isLibJar("lib/.jar"));
    assertFalse(TaskRoot.isLibJar("BOOT-INF/lib/a.jar"));
  }
}
