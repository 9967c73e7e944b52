package dev.ddsls.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one duration grammar of the command line ({@code diagnose --since}, {@code collect --retention}): a whole number
 * and a unit, ms, s, m, h, d or w, e.g. 500ms, 60s, 30m, 1h, 2d. Picocli names the option in the error.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

  @Override
  public Duration convert(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration: a number and ms, s, m, h, d or w (e.g. 500ms, 60s, 30m, 1h, 2d)");
    }
    long unit = switch (m.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      case "d" -> 86_400_000L;
      default -> 7 * 86_400_000L;
    };
    try {
      // In milliseconds as a long, so every option can use it as one (the collector's retention does).
      return Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is too long a duration");
    }
  }
}
