package dev.ddsls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** An Error no reader caught (a stack too small, a linkage error) is one line at the top, exit 3; its trace with --verbose. */
class ErrorAtTheTopTest {
  @Command(name = "throws")
  static final class Throws implements Callable<Integer> {
    static Error next;
    @Mixin Verbose verbose;

    @Override public Integer call() { throw next; }
  }

  @Command(name = "fails")
  static final class FailsInTwoLines implements Callable<Integer> {
    @Override public Integer call() { throw new Cli.Failure(Cli.UNAVAILABLE, "first line\nsecond line"); }
  }

  private static String[] run(Error e, String... args) {
    Throws.next = e;
    CommandLine cl = Cli.configure(new CommandLine(new Throws()));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new String[] {Integer.toString(exit), err.toString()};
  }

  @Test
  void aStackOverflowIsOneLineAndExit3() {
    String[] r = run(new StackOverflowError());
    assertEquals("3", r[0]);
    assertEquals("ddsls: throws: nested too deep to read (StackOverflowError): a corrupt or crafted file?", r[1].strip());
  }

  @Test
  void anyOtherErrorToo() {
    String[] r = run(new NoClassDefFoundError("com/example/Gone"));
    assertEquals("3", r[0]);
    assertEquals(1, r[1].strip().lines().count(), r[1]);
    assertTrue(r[1].contains("NoClassDefFoundError: com/example/Gone"), r[1]);
    assertFalse(r[1].contains("\tat "), r[1]);
    String[] verbose = run(new NoClassDefFoundError("com/example/Gone"), "--verbose");
    assertEquals("3", verbose[0]);
    assertTrue(verbose[1].contains("\tat dev.ddsls.cli.ErrorAtTheTopTest"), verbose[1]);
  }

  @Test
  void aFailureWithAMultiLineMessageIsOneLine() {
    CommandLine cl = Cli.configure(new CommandLine(new FailsInTwoLines()));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(3, cl.execute());
    assertEquals("ddsls: first line", err.toString().strip());
  }
}
