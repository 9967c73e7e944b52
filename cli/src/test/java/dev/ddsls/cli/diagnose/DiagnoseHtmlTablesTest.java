package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.Chromium;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diagnose --format html} on five identical cold starts ({@link ColdStartFixture}), read from the DOM that
 * headless chromium built: the text report's tables, evidence as tables, hovers per cold start with the sum, the
 * wall-clock graph when init waited, abbreviated labels and the search box.
 */
@Tag("e2e")
class DiagnoseHtmlTablesTest {
  static final String LOAD = "com.acme.orders.Catalog.load", PRICES = "com.acme.orders.pricing.PriceTable.compile",
      FETCH = "com.acme.orders.Secrets.fetch", CLINIT = "com.acme.orders.Handler.<clinit>";

  @TempDir Path tmp;

  /** Init: 820 ms in Catalog.load, 240 in PriceTable.compile (both on CPU), 400 asleep in Secrets.fetch, five times. */
  private Path fiveColdStarts() throws Exception {
    return new ColdStartFixture("orders")
        .onCpu(820, LOAD, CLINIT)
        .onCpu(240, PRICES, CLINIT)
        .blocked(400, "java.lang.Thread.sleep", FETCH, CLINIT)
        .write(tmp.resolve("data"), 5, 101);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void textJsonAndMarkdownGiveFramesPerColdStartAndNameTheSums() throws Exception {
    Path data = fiveColdStarts();
    CliProcess.Result json = CliProcess.run(tmp, "diagnose", "--source", data.toString(), "--format", "json", "--quiet");
    assertEquals(0, json.exit(), json.stderr());
    JsonNode init = new ObjectMapper().readTree(json.stdout())
        .get("functions").get(0).get("init");
    assertEquals(5, init.get("coldStarts").asInt());
    assertEquals(1060.0, init.get("cpuMs").asDouble(), 0.01);
    assertEquals(5300.0, init.get("sumOverColdStarts").get("cpuMs").asDouble(), 0.01);
    JsonNode top = init.get("topFrames").get(0);
    assertEquals(LOAD, top.get("frame").asText());
    assertEquals(77.4, top.get("selfPct").asDouble(), 0.01, "existing fields unchanged");
    assertEquals(820.0, top.get("selfMs").asDouble(), 0.01);
    assertEquals(1060.0, init.get("ownFrames").get(0).get("totalMs").asDouble(), 0.01, "the static initialiser's total");

    CliProcess.Result text = CliProcess.run(tmp, "diagnose", "--source", data.toString(), "--quiet");
    assertEquals(0, text.exit(), text.stderr());
    assertTrue(text.stdout().contains("  init per cold start (5 profiled): CPU 1060 ms (all threads), init thread wall 1460 ms"), text.stdout());
    assertTrue(text.stdout().contains("\n        820 ms  77.4%  77.4%  " + LOAD + "\n"), text.stdout());
    for (String line : text.stdout().split("\n")) assertTrue(line.length() <= 100, "over 100 columns: " + line);

    CliProcess.Result md = CliProcess.run(tmp, "diagnose", "--source", data.toString(), "--format", "markdown", "--quiet");
    assertEquals(0, md.exit(), md.stderr());
    assertTrue(md.stdout().contains("| `" + LOAD + "` | 820 | 77.4 | 77.4 |"), md.stdout());
    assertTrue(md.stdout().contains("Init per cold start (5 profiled): CPU 1060 ms"), md.stdout());
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void tablesHoversPerColdStartWallGraphAndSearch() throws Exception {
    Path data = fiveColdStarts();
    Path html = tmp.resolve("report.html");
    CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", data.toString(), "--format", "html", "-o", html.toString(), "--quiet");
    assertEquals(0, r.exit(), r.stderr());

    String dom = Chromium.dumpDom(html, "#search=Catalog", tmp);
    // The text report's tables, per cold start.
    assertEquals(List.of(List.of("820.0", "77.4", LOAD), List.of("240.0", "22.6", PRICES)), rows(element(dom, "table", "own-frames")));
    List<String> hot = rows(element(dom, "table", "hot-frames")).get(0);
    assertEquals(List.of("820.0", "77.4", "820.0", "77.4", LOAD), hot);
    List<String> wait = rows(element(dom, "table", "waits")).get(0);
    assertEquals(List.of("400.0", "400.0", "sleep", FETCH, "java.lang.Thread.sleep"), wait);
    // Findings: evidence as a table, not JSON.
    int at = dom.indexOf("data-id=\"init-cpu-hotspot\"");
    assertTrue(at >= 0, "hotspot finding");
    String hotspot = dom.substring(at, dom.indexOf("</li>", at));
    assertTrue(hotspot.contains("<tr data-key=\"frame\"><th>frame</th><td><code>" + LOAD + "</code></td></tr>"), hotspot);
    assertTrue(hotspot.contains("<tr data-key=\"cpuMs\"><th>cpuMs</th><td>820.0</td></tr>"), hotspot);
    assertFalse(dom.contains("<pre>"), "no raw JSON");
    assertTrue(dom.contains("data-id=\"init-off-cpu\""), "the wait is a finding");

    // Hovers: per cold start, the sum named as a sum.
    assertEquals(LOAD + " - 820.0 ms per cold start (77.4 %), self 820.0 ms per cold start; sum over 5 cold starts 4,100.0 ms",
        title(dom, "flame-init-0", LOAD));
    // The wall-clock graph, because init waited: the sleeping frame is in it, per cold start.
    assertTrue(title(dom, "flame-init-wall-0", FETCH).startsWith(FETCH + " - 400.0 ms per cold start"), dom);
    // Labels: a name too long for its frame is shown with its packages abbreviated.
    assertEquals("c.a.o.p.PriceTable.compile", label(dom, "flame-init-0", PRICES));
    // Search (from the address, as a shared link): the matching frame is highlighted and summed per cold start.
    assertTrue(dom.contains("class=\"flame-search\" data-for=\"flame-init-0\""), "search box");
    assertEquals("1 frames match: 820.0 ms per cold start (77.4 % of all)", text(element(dom, "span", "flame-found\" id=\"flame-init-0-found")));
    assertTrue(Pattern.compile("<g class=\"f match\" data-name=\"" + Pattern.quote(LOAD) + "\"").matcher(section(dom, "flame-init-0")).find());
  }

  /** The first element {@code <tag class="cls..."} up to its matching close (no nesting of the same tag inside). */
  static String element(String dom, String tag, String cls) {
    int start = dom.indexOf("<" + tag + " class=\"" + cls);
    assertTrue(start >= 0, "no <" + tag + " class=\"" + cls + "\">");
    int depth = 0, i = start;
    Pattern p = Pattern.compile("<(/?)" + tag + "[\\s>]");
    Matcher m = p.matcher(dom);
    while (m.find(i)) {
      depth += m.group(1).isEmpty() ? 1 : -1;
      i = m.end();
      if (depth == 0) return dom.substring(start, i);
    }
    return dom.substring(start);
  }

  /** The data rows of a table: each cell's text. */
  static List<List<String>> rows(String table) {
    List<List<String>> out = new ArrayList<>();
    Matcher tr = Pattern.compile("<tr>(.*?)</tr>", Pattern.DOTALL).matcher(table);
    while (tr.find()) {
      List<String> cells = new ArrayList<>();
      Matcher td = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(tr.group(1));
      while (td.find()) cells.add(text(td.group(1)));
      if (!cells.isEmpty()) out.add(cells);
    }
    return out;
  }

  static String text(String html) {
    return html.replaceAll("<[^>]*>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&nbsp;", " ").strip();
  }

  private static String frame(String dom, String graph, String name) {
    Matcher m = Pattern.compile("<g class=\"f[^\"]*\" data-name=\"" + Pattern.quote(name.replace("<", "&lt;").replace(">", "&gt;"))
        + "\".*?</g>", Pattern.DOTALL).matcher(section(dom, graph));
    assertTrue(m.find(), name + " in " + graph);
    return m.group();
  }

  private static String title(String dom, String graph, String name) {
    Matcher m = Pattern.compile("<title>([^<]*)</title>").matcher(frame(dom, graph, name));
    assertTrue(m.find());
    return text(m.group(1));
  }

  private static String label(String dom, String graph, String name) {
    Matcher m = Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(frame(dom, graph, name));
    assertTrue(m.find());
    return m.group(1);
  }

  private static String section(String dom, String id) { return DiagnoseHtmlTest.section(dom, id); }
}
