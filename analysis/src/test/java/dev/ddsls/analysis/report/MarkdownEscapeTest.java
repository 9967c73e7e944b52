package dev.ddsls.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MarkdownEscapeTest {
  @Test
  void namesThatLookLikeHtmlOrMarkupStayVisible() {
    assertEquals("example.Handler.&lt;clinit&gt; takes 5 ms", MarkdownReport.text("example.Handler.<clinit> takes 5 ms"));
    assertEquals("a\\_b\\*c\\|d", MarkdownReport.text("a_b*c|d"));
    assertEquals("`example.Handler.<clinit>`", MarkdownReport.code("example.Handler.<clinit>"));
    assertEquals("``a`b``", MarkdownReport.code("a`b"));
    assertEquals("`a\\|b`", MarkdownReport.cell("a|b"));
  }
}
