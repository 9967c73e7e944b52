package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.cli.Chromium;
import dev.ddsls.cli.CliProcess;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** {@code diagnose --format html} on a real agent run, opened in headless chromium. */
@Tag("e2e")
@Isolated("diagnoses a real CPU-bound cold start, whose findings change under host contention")
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

    BufferedImage png = ImageIO.read(Chromium.screenshot(html, tmp, 1300, 1400).toFile());
    assertEquals(1300, png.getWidth());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < png.getHeight(); y += 7) {
      for (int x = 0; x < png.getWidth(); x += 7) colours.add(png.getRGB(x, y));
    }
    assertTrue(colours.size() > 20, "screenshot shows a rendered page, " + colours.size() + " colours");
  }

  /** The element with {@code id} up to its closing tag. */
  static String section(String dom, String id) {
    int start = dom.indexOf("id=\"" + id + "\"");
    assertTrue(start >= 0, "no element " + id);
    int end = dom.indexOf("</svg>", start);
    return dom.substring(start, end < 0 ? dom.length() : end);
  }
}
