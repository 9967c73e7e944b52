package dev.ddsls.analysis.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.StringReader;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

class RenderTest {
  /** A result with every kind of outcome: pass, fail, warn, insufficient data, and hostile characters. */
  static GateResult mixed() {
    GateDocument base = Docs.coldstartDoc(Docs.normal(20, 1000, 40, 1));
    GateDocument cand = Docs.coldstartDoc(Docs.normal(20, 1300, 40, 2));
    GateConfig c = GateConfig.empty().plus(
        List.of(Threshold.parse("init.p90<1500ms", Level.ERROR), Threshold.parse("init.p90<1s", Level.ERROR),
            Threshold.parse("warn:init.p50<1s", Level.ERROR), Threshold.parse("init.p99<5s", Level.ERROR)),
        List.of(Regression.parse("init.p50:10%", Level.ERROR)));
    GateResult r = Gate.evaluate(c, cand, base);
    List<Outcome> o = new ArrayList<>(r.outcomes());
    o.set(1, o.get(1).withDetail("frames: a<b & \"c\" ]]> \u0001 100% done\r\nnext, line: x"));
    return new GateResult(r.schema(), o);
  }

  @Test
  void junitXmlValidatesAgainstTheJunitSchema() throws Exception {
    GateResult r = mixed();
    Map<String, String> props = new LinkedHashMap<>();
    props.put("schema", r.schema());
    props.put("alpha", "0.05");
    String xml = JunitXml.render(r, props, LocalDateTime.of(2026, 11, 24, 15, 30, 0), "runner-1", 1.25);
    SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    Validator v = f.newSchema(getClass().getResource("/junit/JUnit.xsd")).newValidator();
    v.validate(new StreamSource(new StringReader(xml))); // throws SAXException when invalid
    // The schema is strict enough to catch mistakes: a suite without <system-err> is rejected.
    String broken = xml.replace("<system-err/>", "").replace("<system-err></system-err>", "");
    assertThrows(SAXException.class, () -> v.validate(new StreamSource(new StringReader(broken))));

    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    assertEquals(5, d.getElementsByTagName("testcase").getLength());
    assertEquals(3, d.getElementsByTagName("failure").getLength(), xml);
    assertEquals("3", d.getDocumentElement().getElementsByTagName("testsuite").item(0).getAttributes().getNamedItem("failures").getNodeValue());
    assertTrue(xml.contains("type=\"insufficient-data\""), xml);
    assertTrue(d.getElementsByTagName("system-out").item(0).getTextContent().contains("WARN"), xml);
    assertTrue(d.getElementsByTagName("failure").item(0).getTextContent().contains("a<b & \"c\" ]]>"));
  }

  @Test
  void annotationEscaping() {
    assertEquals("50%25 done%0D%0Anext: a, b", GithubAnnotations.escapeData("50% done\r\nnext: a, b"));
    assertEquals("init.p90%3A 10%25%2C ok%0A", GithubAnnotations.escapeProperty("init.p90: 10%, ok\n"));
    List<String> lines = GithubAnnotations.render(mixed());
    // Most severe first: the real failures, then insufficient data, then the warning.
    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("::error title=ddsls gate%3A init.p90<1s (example.HelloHandler%3A%3AhandleRequest)::"), lines.get(0));
    assertTrue(lines.get(0).contains("100%25 done%0D%0Anext, line: x"), lines.get(0));
    assertTrue(lines.get(1).startsWith("::error title=ddsls gate%3A init.p50%3A10%25"), lines.get(1));
    assertTrue(lines.get(2).contains("insufficient data"), lines.get(2));
    assertTrue(lines.get(3).startsWith("::warning "), lines.get(3));
    for (String l : lines) assertTrue(!l.contains("\n") && !l.contains("\r"));
  }

  @Test
  void atMostTenErrorAnnotations() {
    GateDocument cand = Docs.coldstartDoc(Docs.normal(20, 1300, 40, 2));
    List<Threshold> many = new ArrayList<>();
    for (int i = 0; i < 12; i++) many.add(Threshold.parse("init.max<" + (100 + i), Level.ERROR));
    GateResult r = Gate.evaluate(GateConfig.empty().plus(many, List.of()), cand, null);
    assertEquals(12, r.count(Outcome.Verdict.FAIL));
    assertEquals(10, GithubAnnotations.render(r).size());
  }

  @Test
  void benchmarkJsonIsCustomSmallerIsBetter() throws Exception {
    JsonNode a = Docs.JSON.readTree(BenchmarkJson.render(mixed()));
    assertTrue(a.isArray());
    // init.p90 twice, p50 twice (threshold and regression): names are unique; p99 has no data (insufficient).
    assertEquals(2, a.size(), a.toString());
    JsonNode first = a.get(0);
    assertEquals("example.HelloHandler::handleRequest init p90", first.get("name").asText());
    assertEquals("ms", first.get("unit").asText());
    assertTrue(first.get("value").asDouble() > 1300);
    assertTrue(a.get(1).get("extra").asText().startsWith("WARN"), a.toString());
  }

  @Test
  void tableAndMarkdown() {
    String t = GateTable.render(mixed());
    assertTrue(t.startsWith("rule"), t);
    assertTrue(t.contains("FAIL (insufficient data)"), t);
    assertTrue(t.contains("gate failed: 3 failed, 1 warnings, 1 passed"), t);
    String md = MarkdownSummary.render(mixed());
    assertTrue(md.contains("| `init.p90<1s` |"), md);
    assertTrue(md.contains("**failed**"), md);
  }
}
