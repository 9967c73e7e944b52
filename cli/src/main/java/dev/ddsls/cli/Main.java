package dev.ddsls.cli;

import dev.ddsls.cli.coldstart.ColdstartCommand;
import dev.ddsls.cli.collect.CollectCommand;
import dev.ddsls.cli.demo.DemoCommand;
import dev.ddsls.cli.diagnose.DiagnoseCommand;
import dev.ddsls.cli.gate.GateCommand;
import dev.ddsls.cli.profile.ProfileCommand;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code ddsls} command. Exit codes: 0 ok, 1 a failed gate or run, 2 usage error, 3 data unavailable. */
@Command(name = "ddsls", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Profiling and cold-start diagnostics for Java functions on AWS Lambda.")
public final class Main implements Runnable {
  /**
   * The subcommands by name, in the order help lists them. A command line that names one gets that one alone: picocli
   * builds each command's model by reflection when it is added, and building all of them (and the static state of each,
   * Jackson's among it) was two thirds of the CPU of starting ddsls (docs/benchmarks.md, "Where the CPU goes, starting
   * ddsls"). The names are written out, not read from each class's {@code @Command}: reading them loaded all seven
   * classes and parsed their annotations, 40 ms of every start (MainTest holds them to the annotations).
   */
  static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("help", CommandLine.HelpCommand.class);
    m.put("coldstart", ColdstartCommand.class);
    m.put("collect", CollectCommand.class);
    m.put("diagnose", DiagnoseCommand.class);
    m.put("profile", ProfileCommand.class);
    m.put("gate", GateCommand.class);
    m.put("demo", DemoCommand.class);
    return Collections.unmodifiableMap(m);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin Verbose verbose;

  public static void main(String[] args) { System.exit(run(args)); }

  /** Runs the command line and returns the exit code (tests call this in-process). */
  public static int run(String... args) { return commandLine(args).execute(args); }

  /**
   * The command tree {@code args} need: the subcommand they name, or every subcommand when they name none, ask for
   * {@code help} or the root's {@code --help} (usage, suggestions for a mistyped name and {@code help COMMAND} list
   * them all).
   */
  static CommandLine commandLine(String... args) {
    // picocli's default factory looks for Groovy's Closure class once, through every jar on the class path: ddsls
    // has no Groovy, and the failed lookup was 15 ms of every start.
    if (System.getProperty("picocli.disable.closures") == null) System.setProperty("picocli.disable.closures", "true");
    CommandLine cl = new CommandLine(new Main());
    String named = null; // the first argument that is not an option: the root has no option that takes a value
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help")) break; // the root's usage, which lists every subcommand
      if (a.startsWith("-")) continue;
      if (SUBCOMMANDS.containsKey(a)) named = a;
      break;
    }
    for (Map.Entry<String, Class<?>> c : SUBCOMMANDS.entrySet()) {
      if (named == null || named.equals("help") || named.equals(c.getKey())) cl.addSubcommand(c.getKey(), c.getValue());
    }
    return Cli.configure(cl);
  }

  @Override public void run() { spec.commandLine().usage(System.out); }

  static final class Version implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ddsls " + (v == null ? "dev" : v)};
    }
  }
}
