package dev.ddsls.cli.profile;

import dev.ddsls.cli.Verbose;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ddsls profile}: look at pprof and JFR files directly, without a diagnose source. */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = {"Top frames, flame graphs, conversion and differential flame graphs of pprof (.pb.gz, .pprof) and JFR files.",
        "Exit: 0 ok, 2 usage, 3 unreadable input."},
    subcommands = {TopCommand.class, FlameCommand.class, ConvertCommand.class, DiffCommand.class})
public final class ProfileCommand implements Runnable {
  @Mixin Verbose verbose;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public void run() { spec.commandLine().usage(System.out); }
}
