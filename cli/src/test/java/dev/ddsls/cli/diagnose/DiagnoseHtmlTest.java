package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.Chromium;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diagnose --format html} on a real agent run, opened in headless chromium. Beside the suite's other classes: the
 * page is checked against the same run's JSON report, and its finding is one that holds beside a hog.
 */
@Tag("e2e")
class DiagnoseHtmlTest {
  @TempDir Path tmp;

  @Test
  void htmlReportRendersFlameGraphsHistogramPhasesAndFindingsInABrowser() throws Exception {
    Path event = tmp.resolve("event.json");
    Files.writeString(event, "{\"rounds\": 40000}");
    Path data = tmp.resolve("data");
    CliProcess.Result run = CliProcess.run(tmp, "coldstart", "--jar", CliProcess.examplesJar().toString(), "--handler",
        "example.RulesHandler::handleRequest", "--runs", "2", "--invocations", "3", "--agent", "on", "--event", event.toString(),
        "--out", data.toString(), "--format", "json");
    assertEquals(0, run.exit(), run.stdout() + run.stderr());

    Path html = tmp.resolve("report.html");
    CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", data.toString(), "--format", "html", "--output", html.toString(),
        "--quiet");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals("", r.stdout(), "the report went to --output");
    String page = Files.readString(html);
    assertTrue(!page.contains(" src=") && !page.contains("<link") && !page.contains("@import"), "self-contained: nothing to fetch");

    String dom = Chromium.dumpDom(html, tmp);
    // The init flame graph has the planted static initialiser's work, labelled by the page's script.
    Matcher build = Pattern.compile("<g class=\"f\" data-name=\"example\\.Rules\\.build\"[^>]*><title>[^<]*</title><rect[^>]*>(?:</rect>)?"
        + "<text[^>]*>([^<]*)</text>").matcher(section(dom, "flame-init-0"));
    assertTrue(build.find(), "init flame graph has example.Rules.build");
    assertTrue(build.group(1).startsWith("example.Rules"), "label fitted by the script: '" + build.group(1) + "'");
    assertTrue(section(dom, "flame-invocation-0").contains("data-name=\"example.RulesHandler.handleRequest\""),
        "invocation flame graph has the handler");
    // Two cold starts in the histogram, all four phases, the finding.
    Matcher bins = Pattern.compile("<g class=\"bin\"><title>[^<]*: (\\d+) cold starts</title>").matcher(section(dom, "hist-0"));
    int coldStarts = 0;
    while (bins.find()) coldStarts += Integer.parseInt(bins.group(1));
    assertEquals(2, coldStarts);
    Set<String> phases = new HashSet<>();
    Matcher ph = Pattern.compile("data-phase=\"(\\w+)\"").matcher(dom);
    while (ph.find()) phases.add(ph.group(1));
    assertEquals(Set.of("jvm", "agent", "runtimeInit", "firstInvocation"), phases);
    assertTrue(dom.contains("data-id=\"init-cpu-hotspot\""), "finding shown");
    assertTrue(dom.contains("id=\"connectivity\""), "connectivity section");

    // What the page shows, read from the DOM, is what the JSON report of the same source says: the figures, not only
    // that something was drawn.
    CliProcess.Result j = CliProcess.run(tmp, "diagnose", "--source", data.toString(), "--format", "json", "--quiet");
    assertEquals(0, j.exit(), j.stderr());
    JsonNode fn = new ObjectMapper().readTree(j.stdout()).get("functions").get(0);
    assertEquals(6, fn.get("invocations").asInt(), "2 runs of 3 invocations");
    assertTrue(dom.contains("<p>6 invocations, 2 cold starts ("), "summary line");
    Matcher lastBin = Pattern.compile("-([\\d.]+) ms: \\d+ cold starts</title>(?![\\s\\S]*<g class=\"bin\")").matcher(section(dom, "hist-0"));
    assertTrue(lastBin.find(), "histogram bins");
    assertEquals(fn.get("initMs").get("max").asDouble(), Double.parseDouble(lastBin.group(1)), 0.051, "the histogram ends at the longest init");

    // The phase bar: each phase's label is its p50, its width its share of the bar; the table beside it the same.
    JsonNode phasesMs = fn.get("phasesMs");
    double p50s = 0;
    for (String p : List.of("jvm", "agent", "runtimeInit", "firstInvocation")) p50s += phasesMs.get(p).get("p50").asDouble();
    for (String p : List.of("jvm", "agent", "runtimeInit", "firstInvocation")) {
      double p50 = phasesMs.get(p).get("p50").asDouble();
      Matcher bar = Pattern.compile("data-phase=\"" + p + "\"><title>" + p + ": p50 ([\\d.]+) ms</title><rect [^>]*width=\"([\\d.]+)\"")
          .matcher(section(dom, "phases-0"));
      assertTrue(bar.find(), "phase " + p + " in the bar");
      assertEquals(p50, Double.parseDouble(bar.group(1)), 0.051, p + " label");
      assertTrue(p50 > 0, p + " took time");
      assertEquals(p50 / p50s, Double.parseDouble(bar.group(2)) / 600, 0.001, p + " share of the bar");
      Matcher row = Pattern.compile("</span>" + p + "</td><td>(\\d+)</td><td>([\\d.]+) ms</td>").matcher(dom);
      assertTrue(row.find(), "phase " + p + " in the table");
      assertEquals(2, Integer.parseInt(row.group(1)), p + " measured in both cold starts");
      assertEquals(p50, Double.parseDouble(row.group(2)), 0.051, p + " p50 in the table");
    }

    // The init flame graph: example.Rules.build as wide, and with the time per cold start, as the report's own frame.
    JsonNode rulesBuild = null;
    for (JsonNode f : fn.get("init").get("ownFrames")) if (f.get("frame").asText().equals("example.Rules.build")) rulesBuild = f;
    assertNotNull(rulesBuild, fn.get("init").toString());
    Matcher frame = Pattern.compile("<g class=\"f\" data-name=\"example\\.Rules\\.build\"[^>]*><title>example\\.Rules\\.build - ([\\d,.]+) ms per "
        + "cold start \\(([\\d.]+) %\\)[^<]*</title><rect [^>]*width=\"([\\d.]+)\"").matcher(section(dom, "flame-init-0"));
    assertTrue(frame.find(), "init flame graph has example.Rules.build with its hover");
    assertEquals(rulesBuild.get("totalMs").asDouble(), Double.parseDouble(frame.group(1).replace(",", "")), 0.051, "ms per cold start");
    assertEquals(rulesBuild.get("totalPct").asDouble(), Double.parseDouble(frame.group(2)), 0.051, "share of init CPU");
    assertTrue(rulesBuild.get("totalPct").asDouble() > 30, "the planted work is most of init: " + rulesBuild);
    assertEquals(rulesBuild.get("totalPct").asDouble() / 100, Double.parseDouble(frame.group(3)) / 1200, 0.002, "width is the share");

    // The finding as the report has it: its title, and the frame in its evidence table.
    JsonNode hotspot = null;
    for (JsonNode f : fn.get("findings")) if (f.get("id").asText().equals("init-cpu-hotspot")) hotspot = f;
    assertNotNull(hotspot, fn.get("findings").toString());
    assertEquals("example.Rules.build", hotspot.get("evidence").get("frame").asText());
    int at = dom.indexOf("data-id=\"init-cpu-hotspot\"");
    String li = dom.substring(at, dom.indexOf("</li>", at));
    Matcher title = Pattern.compile("<b>\\[(\\w+)\\] (.*?)</b>").matcher(li);
    assertTrue(title.find(), li);
    assertEquals(hotspot.get("severity").asText(), title.group(1));
    assertEquals(hotspot.get("title").asText(), DiagnoseHtmlTablesTest.text(title.group(2)));
    assertTrue(li.contains("<tr data-key=\"frame\"><th>frame</th><td><code>example.Rules.build</code></td></tr>"), li);
  }

  /** The element with {@code id} up to its closing tag. */
  static String section(String dom, String id) {
    int start = dom.indexOf("id=\"" + id + "\"");
    assertTrue(start >= 0, "no element " + id);
    int end = dom.indexOf("</svg>", start);
    return dom.substring(start, end < 0 ? dom.length() : end);
  }
}
