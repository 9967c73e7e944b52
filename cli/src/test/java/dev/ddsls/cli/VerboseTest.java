package dev.ddsls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --verbose}: every command takes it; an error is one line without it and carries its stack trace with it. */
class VerboseTest {
  @TempDir Path tmp;

  /** collect and profile rejected --verbose although their errors told users to run again with it. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void collectCheckOfAMissingStore() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("no-store"));
    oneLineThenTrace(3, "no collector store", "collect", "--check", "--data", empty.toString());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void profileTopOfACorruptFile() throws Exception {
    Path corrupt = Files.write(tmp.resolve("profile-0001-cpu.pb.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
    oneLineThenTrace(3, "profile-0001-cpu.pb.gz", "profile", "top", corrupt.toString());
  }

  /** Given to the parent command, it holds for the subcommand that fails. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void onTheRootCommand() throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 60, "--verbose", "gate", "--results", tmp.resolve("absent.json").toString());
    assertEquals(3, r.exit(), r.stderr());
    assertTrue(r.stderr().contains("\tat dev.ddsls.cli.gate.GateCommand"), r.stderr());
  }

  /** In-process: no command of the tree lacks the option, so no error message can point at an option it rejects. */
  @Test
  void everyCommandTakesVerbose() {
    List<String> missing = new ArrayList<>();
    walk(Main.commandLine(), missing);
    assertTrue(missing.isEmpty(), "without --verbose: " + missing);
  }

  private static void walk(CommandLine c, List<String> missing) {
    boolean picocliHelp = c.getCommand() instanceof CommandLine.HelpCommand;
    if (!picocliHelp && c.getCommandSpec().findOption("--verbose") == null) missing.add(c.getCommandSpec().qualifiedName());
    for (CommandLine sub : c.getSubcommands().values()) walk(sub, missing);
  }

  private void oneLineThenTrace(int exit, String expect, String... args) throws Exception {
    CliProcess.Result quiet = CliProcess.run(tmp, Map.of(), 60, args);
    assertEquals(exit, quiet.exit(), quiet.stdout() + quiet.stderr());
    String err = quiet.stderr().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("ddsls: ") && err.contains(expect), err);
    assertFalse(err.contains("\tat "), err);

    List<String> verboseArgs = new ArrayList<>(List.of(args));
    verboseArgs.add("--verbose");
    CliProcess.Result verbose = CliProcess.run(tmp, Map.of(), 60, verboseArgs.toArray(String[]::new));
    assertEquals(exit, verbose.exit(), verbose.stdout() + verbose.stderr());
    List<String> lines = verbose.stderr().strip().lines().toList();
    assertEquals(err, lines.get(0), "the same message first");
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("\tat dev.ddsls.cli.")), "a stack trace: " + verbose.stderr());
  }
}
