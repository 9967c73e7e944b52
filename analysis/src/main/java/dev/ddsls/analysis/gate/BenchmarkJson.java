package dev.ddsls.analysis.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;

/**
 * The candidate's values in github-action-benchmark's {@code customSmallerIsBetter} shape,
 * {@code [{"name","unit","value","range"?,"extra"?}]}: one entry per duration or count outcome with data (ratios
 * such as connectivity.connected are bigger-is-better and left out), each name once.
 */
public final class BenchmarkJson {
  private BenchmarkJson() {}

  public static String render(GateResult result) {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode out = mapper.createArrayNode();
    Set<String> seen = new HashSet<>();
    for (Outcome o : result.outcomes()) {
      if (o.candidate() == null || o.unit() == Unit.RATIO) continue;
      String name = (o.subject().equals("-") ? "" : o.subject() + " ") + o.measure();
      if (!seen.add(name)) continue;
      ObjectNode e = out.addObject();
      e.put("name", name);
      e.put("unit", o.unit() == Unit.MS ? "ms" : "count");
      e.put("value", Math.round(o.candidate() * 1000) / 1000.0);
      if (o.changeLower() != null && o.baseline() != null) {
        // The bootstrap interval of the change, in the value's unit around the candidate value.
        double lo = o.baseline() * (1 + o.changeLower()), hi = o.baseline() * (1 + o.changeUpper());
        e.put("range", Format.number(lo) + " .. " + Format.number(hi));
      }
      e.put("extra", o.verdictLabel() + ": " + o.message());
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
