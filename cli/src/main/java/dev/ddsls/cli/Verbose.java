package dev.ddsls.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --verbose}, mixed into every command: errors carry their stack trace only when it is given. */
public final class Verbose {
  @Option(names = "--verbose", description = "Stack traces on errors.")
  boolean on;

  /**
   * Whether the command that ran, or a command above it ({@code ddsls --verbose profile top}), was given --verbose.
   * Reads the parsed mixins, so an argument that only looks like the option (a value of --env) does not count.
   */
  static boolean requested(CommandLine line) {
    for (CommandLine c = line; c != null; c = c.getParent()) {
      for (CommandSpec mixin : c.getCommandSpec().mixins().values()) {
        if (mixin.userObject() instanceof Verbose v && v.on) return true;
      }
    }
    return false;
  }
}
