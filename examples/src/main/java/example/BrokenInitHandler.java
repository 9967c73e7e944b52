package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** A function whose static initialiser throws: the runtime reports an init error. */
public class BrokenInitHandler implements RequestHandler<Map<String, Object>, String> {
  private static final String CONFIG = load();

  private static String load() {
    if (System.getenv("BROKEN_INIT_OK") == null) throw new IllegalStateException("missing configuration TABLE_NAME");
    return "ok";
  }

  @Override
  public String handleRequest(Map<String, Object> event, Context context) { return CONFIG; }
}
