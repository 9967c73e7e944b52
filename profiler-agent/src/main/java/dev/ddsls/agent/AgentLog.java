package dev.ddsls.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One-line log messages on stderr (CloudWatch in Lambda). No logging framework: every class costs cold start. */
public final class AgentLog {
  private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();
  private static volatile boolean debug = false;

  private AgentLog() {}

  static void setDebug(boolean on) { debug = on; }

  /** Every line is redacted: a URL in it may carry credentials ({@code DD_TRACE_AGENT_URL=http://user:secret@host}). */
  public static void info(String message) { System.err.println("ddsls: " + redact(message)); }

  public static void debug(String message) { if (debug) info(message); }

  /** Logs {@code message} the first time {@code key} is seen, never again: degradations are reported once. */
  public static void once(String key, String message) { if (ONCE.add(key)) info(message); }

  /**
   * {@code text} with the user info of every URL in it replaced by {@code ***}: {@code http://u:secret@host/x} becomes
   * {@code http://***@host/x}. A URL's authority ends at {@code /}, {@code ?}, {@code #}, a quote or white space.
   */
  public static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) return text;
    StringBuilder b = new StringBuilder(text.length());
    int from = 0;
    for (int scheme; (scheme = text.indexOf("://", from)) >= 0; ) {
      int start = scheme + 3, end = start;
      while (end < text.length() && "/?#'\" \t\r\n".indexOf(text.charAt(end)) < 0) end++;
      int at = text.lastIndexOf('@', end - 1);
      b.append(text, from, start);
      if (at >= start) {
        b.append("***");
        from = at;
      } else {
        from = start;
      }
    }
    return b.append(text, from, text.length()).toString();
  }

  /** Describes a throwable in one line, without a stack trace. */
  public static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
  }
}
