package dev.ddsls.analysis.gate;

/** An input document (results or report) that is not a readable ddsls.coldstart/v1 or ddsls.diagnose/v1. */
public final class InputException extends RuntimeException {
  public InputException(String message) { super(message); }
}
