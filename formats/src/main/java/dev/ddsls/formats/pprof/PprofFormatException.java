package dev.ddsls.formats.pprof;

import java.io.IOException;

/** The input is not a well-formed pprof profile; the message says what is wrong in one line. */
public final class PprofFormatException extends IOException {
  public PprofFormatException(String message) { super(message); }

  public PprofFormatException(String message, Throwable cause) { super(message, cause); }
}
