package dev.ddsls.formats.pprof;

/** One stack frame: a Java method ({@code com.example.Rules.build}, line 42) or a native symbol (className empty). */
public final class Frame {
  public final String className;
  public final String method;
  public final int line;

  public Frame(String className, String method, int line) {
    this.className = className;
    this.method = method;
    this.line = line;
  }

  /** {@code package.Class.method}: the frame naming of every ddsls output. */
  public String name() { return className.isEmpty() ? method : className + "." + method; }

  @Override public boolean equals(Object o) {
    if (!(o instanceof Frame)) return false;
    Frame f = (Frame) o;
    return line == f.line && className.equals(f.className) && method.equals(f.method);
  }

  @Override public int hashCode() { return (className.hashCode() * 31 + method.hashCode()) * 31 + line; }

  @Override public String toString() { return name() + ":" + line; }
}
