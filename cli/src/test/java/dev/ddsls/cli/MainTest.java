package dev.ddsls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Which subcommands a command line gets: the one it names, or all of them where usage or help must list them. */
class MainTest {
  static final Set<String> ALL = Set.of("help", "coldstart", "collect", "diagnose", "profile", "gate", "demo");

  static Set<String> subcommands(String... args) { return Main.commandLine(args).getSubcommands().keySet(); }

  @Test
  void aNamedSubcommandAlone() {
    assertEquals(Set.of("gate"), subcommands("gate", "--results", "r.json"));
    assertEquals(Set.of("diagnose"), subcommands("--verbose", "diagnose", "--source", "gate"));
    assertEquals(Set.of("profile"), subcommands("profile", "top", "x.pb.gz"));
  }

  @Test
  void allWhereTheyAreListed() {
    assertEquals(ALL, subcommands());
    assertEquals(ALL, subcommands("--help"));
    assertEquals(ALL, subcommands("-h", "diagnose"));
    assertEquals(ALL, subcommands("--version"));
    assertEquals(ALL, subcommands("help", "gate"));
    assertEquals(ALL, subcommands("diagnos")); // picocli suggests the name it meant
  }

  @Test
  void eachNameIsItsCommandsOwn() {
    for (Map.Entry<String, Class<?>> c : Main.SUBCOMMANDS.entrySet()) {
      assertEquals(c.getValue().getAnnotation(CommandLine.Command.class).name(), c.getKey(), c.getValue().getName());
    }
  }

  @Test
  void helpListsThemInTheirOrder() {
    assertEquals(List.of("help", "coldstart", "collect", "diagnose", "profile", "gate", "demo"),
        List.copyOf(Main.commandLine().getSubcommands().keySet()));
  }
}
