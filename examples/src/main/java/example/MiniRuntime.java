package example;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A custom runtime in one page: the Lambda Runtime API loop of a function that brings its own main class instead of
 * the AWS runtime interface client (as on the provided.al2023 runtime). It loads the handler named by {@code _HANDLER}
 * (a {@link RequestHandler} of maps), then answers each event with the handler's result as a JSON string.
 * {@code MINI_RUNTIME_NEXT_DELAY_MS} makes it wait that long after each answer before it asks for the next event, as
 * a runtime that does work after its response does: Lambda bills that time (the post-runtime part of Duration).
 */
public final class MiniRuntime {
  public static void main(String[] args) throws Exception {
    String base = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/";
    String handler = System.getenv("_HANDLER");
    String delay = System.getenv("MINI_RUNTIME_NEXT_DELAY_MS");
    long nextDelayMillis = delay == null || delay.isBlank() ? 0 : Long.parseLong(delay.trim());
    String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
    RequestHandler<Map<String, Object>, Object> function;
    try {
      @SuppressWarnings("unchecked")
      RequestHandler<Map<String, Object>, Object> loaded =
          (RequestHandler<Map<String, Object>, Object>) Class.forName(className).getDeclaredConstructor().newInstance();
      function = loaded;
    } catch (Throwable t) {
      post(base + "init/error", "{\"errorMessage\":\"" + t + "\",\"errorType\":\"InitError\"}");
      System.exit(1);
      return;
    }
    while (true) {
      HttpURLConnection next = (HttpURLConnection) new URL(base + "invocation/next").openConnection();
      String requestId = next.getHeaderField("Lambda-Runtime-Aws-Request-Id");
      try (InputStream in = next.getInputStream()) {
        in.readAllBytes();
      }
      try {
        Object result = function.handleRequest(new HashMap<>(), null);
        post(base + "invocation/" + requestId + "/response", "\"" + String.valueOf(result).replace("\"", "'") + "\"");
      } catch (RuntimeException e) {
        post(base + "invocation/" + requestId + "/error", "{\"errorMessage\":\"" + e + "\",\"errorType\":\"HandlerError\"}");
      }
      if (nextDelayMillis > 0) Thread.sleep(nextDelayMillis);
    }
  }

  private static void post(String url, String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    c.getResponseCode();
    c.disconnect();
  }
}
