package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A POJO handler whose static initialiser builds a large rule table: the cold start pays for
 * {@code example.Rules.build}. {@code RULES_ROUNDS} sets the work (default 150,000 rounds, about half a second of CPU);
 * an event {@code {"rounds": N}} makes the invocation itself build N more.
 */
public class RulesHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  private static final Rules RULES = Rules.build(Rules.roundsFromEnv("RULES_ROUNDS", 150_000));

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    Map<String, Object> out = new LinkedHashMap<>();
    Object key = event == null ? null : event.get("key");
    Object rounds = event == null ? null : event.get("rounds");
    if (rounds instanceof Number) out.put("extra", Rules.build(((Number) rounds).intValue()).size()); // per-invocation work
    out.put("rules", RULES.size());
    out.put("match", RULES.match(key == null ? "00" : key.toString()));
    out.put("requestId", context == null ? null : context.getAwsRequestId());
    return out;
  }
}
