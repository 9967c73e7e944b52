package dev.ddsls.analysis.trace;

import java.io.IOException;

/** Span data that cannot be read: names the file and where. */
public final class SpanFormatException extends IOException {
  public SpanFormatException(String message) { super(message); }
}
