package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * Init that waits instead of computing, as a secrets or config fetch does: {@code example.Secrets.fetch} sleeps
 * {@code INIT_WAIT_MS} (default 600). Off-CPU: visible only in wall-clock samples.
 */
public class WaitingInitHandler implements RequestHandler<Map<String, Object>, String> {
  private static final String SECRET = Secrets.fetch(Rules.roundsFromEnv("INIT_WAIT_MS", 600));

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    return "secret has " + SECRET.length() + " chars";
  }
}
