package dev.ddsls.cli;

import dev.ddsls.cli.coldstart.ColdstartCommand;
import dev.ddsls.cli.collect.CollectCommand;
import dev.ddsls.cli.demo.DemoCommand;
import dev.ddsls.cli.diagnose.DiagnoseCommand;
import dev.ddsls.cli.gate.GateCommand;
import dev.ddsls.cli.profile.ProfileCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code ddsls} command. Exit codes: 0 ok, 1 a failed gate or run, 2 usage error, 3 data unavailable. */
@Command(name = "ddsls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Profiling and cold-start diagnostics for Java functions on AWS Lambda.",
    subcommands = {CommandLine.HelpCommand.class, ColdstartCommand.class, CollectCommand.class, DiagnoseCommand.class,
        ProfileCommand.class, GateCommand.class, DemoCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin Verbose verbose;

  public static void main(String[] args) { System.exit(run(args)); }

  /** Runs the command line and returns the exit code (tests call this in-process). */
  public static int run(String... args) { return Cli.commandLine(new Main()).execute(args); }

  @Override public void run() { spec.commandLine().usage(System.out); }

  static final class Version implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ddsls " + (v == null ? "dev" : v)};
    }
  }
}
