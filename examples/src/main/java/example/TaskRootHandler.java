package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Map;

/**
 * Reports where Lambda's runtime put the function: {@code LAMBDA_TASK_ROOT}, the working directory, the system class
 * path, and where its own class and a class of one of its dependencies (from the package's {@code lib/}, named by the
 * event's {@code "libClass"}) were loaded from, and by which loader. A JSON object, one string per field.
 */
public class TaskRootHandler implements RequestHandler<Map<String, Object>, String> {
  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    StringBuilder sb = new StringBuilder("{");
    field(sb, "taskRoot", System.getenv("LAMBDA_TASK_ROOT"));
    field(sb, "cwd", Path.of("").toAbsolutePath().toString());
    field(sb, "classPath", System.getProperty("java.class.path"));
    field(sb, "handlerCodeSource", codeSource(TaskRootHandler.class));
    field(sb, "handlerLoader", TaskRootHandler.class.getClassLoader().getClass().getName());
    Object lib = event == null ? null : event.get("libClass");
    if (lib != null) {
      try {
        Class<?> c = Class.forName(lib.toString(), false, TaskRootHandler.class.getClassLoader());
        field(sb, "libCodeSource", codeSource(c));
      } catch (ClassNotFoundException e) {
        field(sb, "libCodeSource", "not found");
      }
    }
    sb.setLength(sb.length() - 1);
    return sb.append('}').toString();
  }

  private static String codeSource(Class<?> c) {
    CodeSource cs = c.getProtectionDomain().getCodeSource();
    if (cs == null || cs.getLocation() == null) return "none";
    try {
      return Path.of(cs.getLocation().toURI()).toString();
    } catch (URISyntaxException | RuntimeException e) {
      return cs.getLocation().toString();
    }
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append('"').append(name).append("\":\"");
    String v = value == null ? "" : value;
    for (char ch : v.toCharArray()) {
      if (ch == '"' || ch == '\\') sb.append('\\');
      sb.append(ch);
    }
    sb.append("\",");
  }
}
