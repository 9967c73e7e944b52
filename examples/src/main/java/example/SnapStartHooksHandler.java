package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Core;
import org.crac.Resource;

/**
 * Registers two org.crac Resources in its static initialiser, as SnapStart functions do, and records the order of
 * everything that happens to it: its init, each Resource's beforeCheckpoint and afterRestore, each invocation. Each
 * response is that record so far, as JSON: {@code {"events":["init","beforeCheckpoint:second",...,"invoke:1"]}}.
 * Under the runtime interface client beforeCheckpoint runs in the reverse order of registration, afterRestore in the
 * order of registration. The package needs org.crac in its {@code lib/}.
 */
public class SnapStartHooksHandler implements RequestHandler<Map<String, Object>, String> {
  static final List<String> EVENTS = new CopyOnWriteArrayList<>();
  // Held strongly: org.crac and the runtime client keep only weak references to registered Resources.
  private static final Resource FIRST = new RecordingResource("first", EVENTS);
  private static final Resource SECOND = new RecordingResource("second", EVENTS);

  static {
    EVENTS.add("init");
    Core.getGlobalContext().register(FIRST);
    Core.getGlobalContext().register(SECOND);
  }

  private int invocations;

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    EVENTS.add("invoke:" + (++invocations));
    return json(EVENTS);
  }

  static String json(List<String> events) {
    StringBuilder sb = new StringBuilder("{\"events\":[");
    for (int i = 0; i < events.size(); i++) sb.append(i == 0 ? "" : ",").append('"').append(events.get(i)).append('"');
    return sb.append("]}").toString();
  }
}
