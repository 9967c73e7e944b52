package dev.ddsls.analysis.pprof;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One pprof sample: its stack as frame names, leaf first, with the source line of each frame (0 when unknown),
 * one value per sample type, and its string and numeric labels.
 */
public final class ProfileSample {
  private final List<String> stack;
  private final long[] lines;
  private final long[] values;
  private final Map<String, String> strLabels;
  private final Map<String, Long> numLabels;

  public ProfileSample(List<String> stack, long[] lines, long[] values, Map<String, String> strLabels,
                       Map<String, Long> numLabels) {
    this(stack, lines.clone(), values.clone(), strLabels, numLabels, true);
  }

  private ProfileSample(List<String> stack, long[] lines, long[] values, Map<String, String> strLabels,
                        Map<String, Long> numLabels, boolean adopted) { // adopted: the arrays are the sample's own from here on
    if (lines.length != stack.size()) {
      throw new IllegalArgumentException(stack.size() + " frames but " + lines.length + " lines");
    }
    this.stack = List.copyOf(stack);
    this.lines = lines;
    this.values = values;
    this.strLabels = Map.copyOf(strLabels);
    this.numLabels = Map.copyOf(numLabels);
  }

  /**
   * A sample that takes {@code lines} and {@code values} as they are instead of copying them: for readers that hand
   * over arrays nobody changes again, such as a stack's lines shared by all its samples (copying them per sample was
   * a tenth of reading a JFR recording).
   */
  public static ProfileSample sharing(List<String> stack, long[] lines, long[] values, Map<String, String> strLabels,
                                      Map<String, Long> numLabels) {
    return new ProfileSample(stack, lines, values, strLabels, numLabels, true);
  }

  /** This sample with other values; its stack and lines are shared, not copied. */
  public ProfileSample withValues(long[] otherValues) {
    return new ProfileSample(stack, lines, otherValues.clone(), strLabels, numLabels, true);
  }

  /** This sample with other numeric labels; its stack, lines and values are shared, not copied. */
  public ProfileSample withNumLabels(Map<String, Long> otherNumLabels) {
    return new ProfileSample(stack, lines, values, strLabels, otherNumLabels, true);
  }

  /** Frame names ({@code package.Class.method}), leaf first. */
  public List<String> stack() { return stack; }

  /** The leaf frame's name, or null for an empty stack. */
  public String leaf() { return stack.isEmpty() ? null : stack.get(0); }

  /** Source line of {@code stack().get(depth)}; 0 when unknown. */
  public long line(int depth) { return lines[depth]; }

  public long[] lines() { return lines.clone(); }

  public long value(int index) { return values[index]; }

  public long[] values() { return values.clone(); }

  public Map<String, String> strLabels() { return strLabels; }

  public Map<String, Long> numLabels() { return numLabels; }

  /** The string label {@code key}, or null. */
  public String strLabel(String key) { return strLabels.get(key); }

  /**
   * The span this sample's work belongs to: its {@code local root span id} (the invocation or request), else its
   * {@code span id}; null when it carries neither.
   */
  public Long rootSpanId() {
    Long root = numLabels.get("local root span id");
    return root != null ? root : numLabels.get("span id");
  }

  @Override public String toString() {
    return stack + " " + Arrays.toString(values) + " " + strLabels + " " + numLabels;
  }
}
