package dev.ddsls.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** Shared command-line behaviour: one-line errors (exit 2 for usage), stack traces only with --verbose. */
public final class Cli {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int UNAVAILABLE = 3;

  private Cli() {}

  /** A user-facing failure with an exit code: printed as one line. */
  public static final class Failure extends RuntimeException {
    public final int exitCode;

    public Failure(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }

    /** With the cause whose stack trace --verbose shows. */
    public Failure(int exitCode, String message, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }

    public static Failure usage(String message) { return new Failure(USAGE, message); }
  }

  /**
   * Exit 3 naming {@code input}, for a throwable a reader let out where only its own exception was expected: an
   * {@code Error} (out of stack or memory) or a RuntimeException (a bug of the reader's). Readers bound what they
   * allocate and how deep they go (docs/reliability.md), so this is the net under them, not the answer they give.
   */
  public static Failure unreadable(String input, Throwable e) { return new Failure(UNAVAILABLE, "cannot read " + input + ": " + describe(e), e); }

  /** What went wrong, in one line, for a throwable no reader explained. */
  public static String describe(Throwable e) {
    if (e instanceof StackOverflowError) return "nested too deep to read (StackOverflowError): a corrupt or crafted file?";
    if (e instanceof OutOfMemoryError) {
      return "too large for this heap of " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB (OutOfMemoryError"
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): a corrupt or oversized file? A larger heap: DDSLS_JAVA_OPTS=-Xmx8g";
    }
    return "an error ddsls did not expect (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()))
        + "); please report it with the --verbose output";
  }

  /** The first line of a message: every error is one line (a library's message may hold several). */
  public static String firstLine(String message) {
    if (message == null) return "";
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).stripTrailing();
  }

  /** Sets ddsls's error handling on {@code cl} and the subcommands it has now. */
  static CommandLine configure(CommandLine cl) {
    cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
      boolean verbose = Verbose.requested(line);
      PrintWriter err = line.getErr();
      if (ex instanceof Failure failure) {
        err.println("ddsls: " + firstLine(ex.getMessage()));
        if (verbose) ex.printStackTrace(err);
        return failure.exitCode;
      }
      err.println("ddsls: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : firstLine(ex.getMessage()))
          + (verbose ? "" : " (run again with --verbose for details)"));
      if (verbose) ex.printStackTrace(err);
      return FAILED;
    });
    // An Error escapes picocli's exception handler. The readers bound what they allocate and how deep they go, and
    // name the file an Error met them in (unreadable); any other (a stack or heap too small for the data as a whole, a
    // linkage error) is one line too, exit 3, never a trace without --verbose.
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    cl.setExecutionStrategy(parseResult -> {
      try {
        return run.execute(parseResult);
      } catch (Error e) {
        List<CommandLine> ran = parseResult.asCommandLineList();
        CommandLine last = ran.get(ran.size() - 1);
        PrintWriter err = cl.getErr();
        err.println("ddsls: " + last.getCommandSpec().qualifiedName() + ": " + describe(e));
        if (Verbose.requested(last)) e.printStackTrace(err);
        return UNAVAILABLE;
      }
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("ddsls: " + ex.getMessage());
      // A bad value is explained by its converter's message; the pointer to --help is for unknown or missing options.
      if (!(ex.getCause() instanceof CommandLine.TypeConversionException)) {
        err.println("ddsls: see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
      }
      return USAGE;
    });
    return cl;
  }
}
