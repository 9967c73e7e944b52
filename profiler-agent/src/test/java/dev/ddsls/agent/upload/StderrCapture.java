package dev.ddsls.agent.upload;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures System.err (where AgentLog writes) while open. */
final class StderrCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

  StderrCapture() { System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8)); }

  String text() { return buf.toString(StandardCharsets.UTF_8); }

  /** Number of captured lines containing {@code s}. */
  int linesContaining(String s) {
    int n = 0;
    for (String line : text().split("\n")) if (line.contains(s)) n++;
    return n;
  }

  @Override
  public void close() { System.setErr(original); }
}
