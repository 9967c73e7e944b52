package dev.ddsls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** The one duration grammar: what diagnose --since and collect --retention each accepted before, and its errors. */
class DurationConverterTest {
  @TempDir Path tmp;

  private final DurationConverter converter = new DurationConverter();

  @Test
  void acceptsEveryUnitEitherOptionTook() {
    assertEquals(Duration.ofMinutes(30), converter.convert("30m"));
    assertEquals(Duration.ofHours(1), converter.convert("1h"));
    assertEquals(Duration.ofDays(2), converter.convert("2d"));
    assertEquals(Duration.ofSeconds(60), converter.convert("60s"));
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofDays(14), converter.convert("2w"));
    // collect's grammar: any case, blanks around and between
    assertEquals(Duration.ofHours(12), converter.convert(" 12 H "));
    assertEquals(Duration.ZERO, converter.convert("0s"));
  }

  @Test
  void rejectsWhatIsNotOne() {
    for (String bad : new String[] {"yesterday", "1", "h", "1.5h", "-1h", "1y", "1h30m", ""}) {
      TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert(bad), bad);
      assertTrue(e.getMessage().contains("is not a duration"), e.getMessage());
    }
    TypeConversionException big = assertThrows(TypeConversionException.class, () -> converter.convert("99999999999999999999d"));
    assertTrue(big.getMessage().contains("too long"), big.getMessage());
    assertThrows(TypeConversionException.class, () -> converter.convert("999999999999w"));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void badValuesAreOneUsageLineNamingTheOption() throws Exception {
    usageError("--since", "diagnose", "--source", tmp.toString(), "--since", "yesterday");
    usageError("--retention", "collect", "--check", "--data", tmp.toString(), "--retention", "7 days");
    usageError("--since", "diagnose", "--source", tmp.toString(), "--since", "99999999999999999999d");
  }

  private void usageError(String option, String... args) throws Exception {
    CliProcess.Result r = CliProcess.run(tmp, Map.of(), 60, args);
    assertEquals(2, r.exit(), r.stdout() + r.stderr());
    String err = r.stderr().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("ddsls: ") && err.contains("'" + option + "'"), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), err);
  }
}
