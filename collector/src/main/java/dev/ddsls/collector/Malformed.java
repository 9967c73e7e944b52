package dev.ddsls.collector;

/** A payload the collector refuses (HTTP 400): the message says what was wrong and where. */
final class Malformed extends Exception {
  Malformed(String message) { super(message, null, false, false); }
}
