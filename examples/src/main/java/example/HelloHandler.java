package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** A healthy function: nothing planted in its cold start. */
public class HelloHandler implements RequestHandler<Map<String, Object>, String> {
  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    Object name = event == null ? null : event.get("name");
    return "hello " + (name == null ? "world" : name);
  }
}
