package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
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
  void libJarsAreTheJarsDirectlyInLib() {
    assertTrue(TaskRoot.isLibJar("lib/crac-0.1.3.jar"));
    assertFalse(TaskRoot.isLibJar("lib/x/y.jar"));
    assertFalse(TaskRoot.isLibJar("lib/.jar"));
    assertFalse(TaskRoot.isLibJar("BOOT-INF/lib/a.jar"));
  }
}
