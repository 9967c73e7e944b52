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

    public static Failure usage(String message) { return new Failure(USAGE, message); }
  }

  static CommandLine commandLine(Object root) {
    CommandLine cl = new CommandLine(root);
    cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
      boolean verbose = Verbose.requested(line);
      PrintWriter err = line.getErr();
      if (ex instanceof Failure failure) {
        err.println("ddsls: " + ex.getMessage());
        if (verbose) ex.printStackTrace(err);
        return failure.exitCode;
      }
      err.println("ddsls: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
      if (verbose) ex.printStackTrace(err);
      else err.println("ddsls: (run again with --verbose for details)");
      return FAILED;
    });
    // A VirtualMachineError escapes picocli's exception handler. The readers bound what they allocate and how deep
    // they go (docs/reliability.md); should one still run out, the user gets one line, not a trace, and exit 3.
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    cl.setExecutionStrategy(parseResult -> {
      try {
        return run.execute(parseResult);
      } catch (StackOverflowError | OutOfMemoryError e) {
        PrintWriter err = cl.getErr();
        err.println("ddsls: ran out of " + (e instanceof StackOverflowError ? "stack" : "memory") + " reading the input ("
            + e.getClass().getSimpleName() + "): a corrupt or oversized file? Please report it with --verbose output");
        List<CommandLine> ran = parseResult.asCommandLineList();
        if (Verbose.requested(ran.get(ran.size() - 1))) e.printStackTrace(err);
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
