package dev.ddsls.analysis.gate;

import java.util.Locale;

/** Lighthouse-CI style rule levels: {@code error} fails the gate, {@code warn} only reports, {@code off} skips. */
public enum Level {
  OFF, WARN, ERROR;

  public static Level parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "off": return OFF;
      case "warn": case "warning": return WARN;
      case "error": return ERROR;
      default: throw new RuleException("unknown level '" + text + "' (use warn, error or off)");
    }
  }

  public String label() { return name().toLowerCase(Locale.ROOT); }
}
