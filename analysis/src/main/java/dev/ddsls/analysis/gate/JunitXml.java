package dev.ddsls.analysis.gate;

import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The gate as JUnit XML, one {@code <testcase>} per rule and subject (classname = subject, name = rule), valid
 * against the Ant/Windy Road JUnit schema (the strictest common one, so Jenkins, GitLab and the JUnit-report
 * actions read it too). Failed error-level rules are {@code <failure>}s; warnings pass and are listed in the
 * suite's {@code <system-out>}, because JUnit has no warning state.
 */
public final class JunitXml {
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);

  private JunitXml() {}

  public static String render(GateResult result, Map<String, String> properties, LocalDateTime timestamp,
                              String hostname, double seconds) {
    try {
      StringWriter out = new StringWriter();
      XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
      w.writeStartDocument("UTF-8", "1.0");
      w.writeCharacters("\n");
      w.writeStartElement("testsuites");
      w.writeCharacters("\n  ");
      w.writeStartElement("testsuite");
      w.writeAttribute("package", "ddsls");
      w.writeAttribute("id", "0");
      w.writeAttribute("name", "ddsls gate");
      w.writeAttribute("timestamp", TIMESTAMP.format(timestamp));
      w.writeAttribute("hostname", hostname == null || hostname.isBlank() ? "localhost" : clean(hostname));
      w.writeAttribute("tests", String.valueOf(result.outcomes().size()));
      w.writeAttribute("failures", String.valueOf(result.count(Outcome.Verdict.FAIL)));
      w.writeAttribute("errors", "0");
      w.writeAttribute("time", String.format(Locale.ROOT, "%.3f", seconds));
      w.writeCharacters("\n    ");
      w.writeStartElement("properties");
      for (Map.Entry<String, String> p : properties.entrySet()) {
        w.writeCharacters("\n      ");
        w.writeEmptyElement("property");
        w.writeAttribute("name", clean(p.getKey()));
        w.writeAttribute("value", clean(p.getValue()));
      }
      w.writeCharacters("\n    ");
      w.writeEndElement();
      StringBuilder warnings = new StringBuilder();
      for (Outcome o : result.outcomes()) {
        w.writeCharacters("\n    ");
        w.writeStartElement("testcase");
        w.writeAttribute("name", clean(o.rule()));
        w.writeAttribute("classname", clean(o.subject()));
        w.writeAttribute("time", "0");
        if (o.verdict() == Outcome.Verdict.FAIL) {
          w.writeStartElement("failure");
          w.writeAttribute("message", clean(o.message()));
          w.writeAttribute("type", o.insufficient() ? "insufficient-data" : o.kind().name().toLowerCase(Locale.ROOT));
          w.writeCharacters(clean(text(o)));
          w.writeEndElement();
        } else if (o.verdict() == Outcome.Verdict.WARN) {
          warnings.append("WARN ").append(o.subject()).append(": ").append(o.rule()).append(": ").append(text(o)).append('\n');
        }
        w.writeEndElement();
      }
      w.writeCharacters("\n    ");
      w.writeStartElement("system-out");
      w.writeCharacters(clean(warnings.toString()));
      w.writeEndElement();
      w.writeCharacters("\n    ");
      w.writeEmptyElement("system-err");
      w.writeCharacters("\n  ");
      w.writeEndElement();
      w.writeCharacters("\n");
      w.writeEndElement();
      w.writeCharacters("\n");
      w.writeEndDocument();
      w.close();
      return out.toString();
    } catch (XMLStreamException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(Outcome o) {
    return o.message() + (o.detail().isEmpty() ? "" : "\n" + o.detail());
  }

  /** Drops characters XML 1.0 cannot carry at all (C0 controls other than tab, CR, LF; unpaired surrogates). */
  static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else if (ok) {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
