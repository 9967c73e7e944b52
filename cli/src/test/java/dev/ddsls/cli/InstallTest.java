package dev.ddsls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallTest {
  @TempDir Path home;

  @Test
  void findsThePartsBesideTheCodeSource() throws Exception {
    // Running from target/classes: the parts are in target/.
    Install current = Install.current();
    assertEquals(Path.of("target").toAbsolutePath(), current.home());
    assertTrue(Files.isDirectory(current.runtimeDir()));
    assertTrue(Files.isRegularFile(current.layerDir().resolve("ddsls_wrapper")));
    assertTrue(Files.isRegularFile(current.examplesDir().resolve("ddsls-examples.jar")));
  }

  @Test
  void aMissingPartIsAOneLineFailure() throws Exception {
    Files.createDirectory(home.resolve("runtime"));
    Install install = new Install(home);
    assertEquals(home.resolve("runtime"), install.runtimeDir());
    Cli.Failure f = assertThrows(Cli.Failure.class, install::layerDir);
    assertEquals(Cli.UNAVAILABLE, f.exitCode);
    assertTrue(f.getMessage().contains(home.resolve("layer").toString()), f.getMessage());
    assertTrue(!f.getMessage().contains("\n"));
  }
}
