package dev.ddsls.analysis.gate;

/** A gate rule or configuration that cannot be evaluated as written (a usage error, never a gate failure). */
public final class RuleException extends IllegalArgumentException {
  public RuleException(String message) { super(message); }
}
