package dev.ddsls.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes in bytes ({@code collect --max-size}, {@code --max-body}): 50MiB, 2GiB (powers of 1024), 500MB (of 1000),
 * 1048576.
 */
public final class SizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?)b?");

  @Override
  public Long convert(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new TypeConversionException("'" + text + "' is not a size (e.g. 50MiB, 2GiB, 500MB, 1048576)");
    int power = "kmgt".indexOf(m.group(2)) + 1;
    long base = m.group(3).isEmpty() && power > 0 ? 1000 : 1024;
    try {
      long v = Long.parseLong(m.group(1));
      for (int i = 0; i < power; i++) v = Math.multiplyExact(v, base);
      return v;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is too large a size");
    }
  }
}
