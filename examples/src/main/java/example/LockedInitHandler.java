package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Init that waits for a lock another thread holds: a background "cache loader" takes the registry's monitor and
 * keeps it {@code INIT_WAIT_MS} (default 600) while init wants it too, in {@code example.LockedInitHandler.Registry.get}.
 */
public class LockedInitHandler implements RequestHandler<Map<String, Object>, String> {
  private static final String VALUE = Registry.loadInBackgroundThenGet(Rules.roundsFromEnv("INIT_WAIT_MS", 600));

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    return VALUE;
  }

  static final class Registry {
    private static final Object LOCK = new Object();
    private static String value = "empty";

    private Registry() {}

    static String loadInBackgroundThenGet(int holdMillis) {
      CountDownLatch held = new CountDownLatch(1);
      Thread loader = new Thread(() -> {
        synchronized (LOCK) {
          held.countDown();
          try {
            Thread.sleep(holdMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          value = "loaded";
        }
      }, "cache-loader");
      loader.setDaemon(true);
      loader.start();
      try {
        held.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return get();
    }

    static String get() {
      synchronized (LOCK) {
        return value;
      }
    }
  }
}
