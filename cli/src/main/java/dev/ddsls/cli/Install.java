package dev.ddsls.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the parts shipped beside the CLI live. Installed, the CLI is {@code <home>/ddsls.jar} with {@code runtime/}
 * (the AWS runtime interface client and its dependencies), {@code layer/} (the unpacked Lambda layer) and
 * {@code examples/} next to it; in a build, the classes are {@code cli/target/classes} and the parts are in
 * {@code cli/target}. Either way they sit in the directory that holds the CLI's code source.
 */
public final class Install {
  private final Path home;

  Install(Path home) { this.home = home; }

  /** The installation the running CLI belongs to. */
  public static Install current() {
    try {
      Path code = Path.of(Install.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // A jar's directory, or the parent of target/classes: both are the directory holding the code source.
      return new Install(code.toAbsolutePath().getParent());
    } catch (URISyntaxException | RuntimeException e) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "cannot locate the ddsls installation: " + e);
    }
  }

  public Path home() { return home; }

  /** The runtime interface client's jars, for the child JVMs of {@code ddsls coldstart}. */
  public Path runtimeDir() { return require("runtime", "the AWS Lambda runtime interface client jars"); }

  /** The unpacked Lambda layer: {@code ddsls_wrapper} and {@code ddsls/ddsls-agent.jar}. */
  public Path layerDir() { return require("layer", "the unpacked ddsls Lambda layer"); }

  /** The example handlers ({@code ddsls-examples.jar}). */
  public Path examplesDir() { return require("examples", "the example handlers"); }

  private Path require(String name, String what) {
    Path dir = home.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new Cli.Failure(Cli.UNAVAILABLE, "missing " + dir + " (" + what + "); it is installed beside ddsls.jar"
          + " - rebuild with 'mvn package' or reinstall ddsls");
    }
    return dir;
  }
}
