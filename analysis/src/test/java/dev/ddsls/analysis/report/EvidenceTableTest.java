package dev.ddsls.analysis.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.analysis.pprof.FrameStat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EvidenceTableTest {
  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void recordsAsNestedTablesIdsFoldedRawSumsLeftOut() {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("classLoadingCpuMs", 912.34);
    ev.put("topPackages", List.of(new FrameStat("com.acme.orders", 4_100_000_000L, 5_000_000_000L, 41.0, 50.0)));
    ev.put("coldStartSpanIds", List.of("1", "2", "3", "4", "5", "6", "7"));
    ev.put("profileIds", List.of("run-1/profile-0001-cpu.pb.gz"));
    StringBuilder b = new StringBuilder();
    EvidenceTable.write(b, ev);
    String html = b.toString();
    assertTrue(html.contains("<tr data-key=\"classLoadingCpuMs\"><th>classLoadingCpuMs</th><td>912.3</td></tr>"), html);
    assertTrue(html.contains("<table class=\"nested\"><tr><th>frame</th><th>selfPct</th><th>totalPct</th></tr>\n"
        + "<tr><td><code>com.acme.orders</code></td><td>41.0</td><td>50.0</td></tr>"), html);
    assertFalse(html.contains("4100000000"), "raw ns sums are not shown: " + html);
    assertTrue(html.contains("<details><summary>7 values</summary>1, 2, 3, 4, 5, 6, 7</details>"), html);
    assertTrue(html.contains("<td><code>run-1/profile-0001-cpu.pb.gz</code></td>"), html);
  }
}
