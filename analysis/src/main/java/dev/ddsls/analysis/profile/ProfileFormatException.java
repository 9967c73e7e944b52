package dev.ddsls.analysis.profile;

import java.io.IOException;

/** Bytes that are not a readable profile; the message says why (one line, without the file's name). */
public final class ProfileFormatException extends IOException {
  public ProfileFormatException(String message) { super(message); }

  public ProfileFormatException(String message, Throwable cause) { super(message, cause); }
}
