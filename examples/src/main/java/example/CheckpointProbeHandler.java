package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A SnapStart function with CPU work in each part of its lifecycle, each in a method of its own name so that a profile
 * shows where it ran: init ({@link #initWork}), the {@code beforeCheckpoint} hook ({@link #checkpointWork}), the
 * {@code afterRestore} hook ({@link #restoreWork}) and the first invocation ({@link #firstInvocationWork}). Its hooks
 * are registered with the runtime interface client's own CRaC context ({@code com.amazonaws.services.lambda.crac},
 * reached by reflection so this jar compiles against aws-lambda-java-core only).
 */
public class CheckpointProbeHandler implements RequestHandler<Map<String, Object>, String> {
  /** The context holds its resources weakly: this keeps the hook alive. */
  private static final Object HOOK;
  private static boolean invoked;

  static {
    initWork(Long.getLong("probe.init.ms", 150));
    HOOK = register();
  }

  static Object register() {
    try {
      Class<?> core = Class.forName("com.amazonaws.services.lambda.crac.Core");
      Class<?> resource = Class.forName("com.amazonaws.services.lambda.crac.Resource");
      Object context = core.getMethod("getGlobalContext").invoke(null);
      Object hook = Proxy.newProxyInstance(CheckpointProbeHandler.class.getClassLoader(), new Class<?>[] {resource}, new Hooks());
      context.getClass().getMethod("register", resource).invoke(context, hook);
      return hook;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no CRaC context in this runtime", e);
    }
  }

  /** The Resource's two hooks; Object's methods as an identity. */
  static final class Hooks implements InvocationHandler {
    @Override public Object invoke(Object proxy, Method m, Object[] args) {
      switch (m.getName()) {
        case "beforeCheckpoint":
          checkpointWork(150);
          return null;
        case "afterRestore":
          if ("true".equals(System.getenv("PROBE_RESTORE_FAILS"))) throw new IllegalStateException("afterRestore fails on purpose");
          restoreWork(200);
          return null;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        default:
          return "CheckpointProbeHandler.Hooks";
      }
    }
  }

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    if (!invoked) {
      invoked = true;
      firstInvocationWork(200);
      return "ok " + FirstUse.touch(); // a class loaded first by the first invocation: a priming candidate
    }
    return "ok";
  }

  /** Loaded by the first invocation only. */
  static final class FirstUse {
    static int touch() { return 1; }
  }

  static void initWork(long cpuMs) { spin(cpuMs); }

  static void checkpointWork(long cpuMs) { spin(cpuMs); }

  static void restoreWork(long cpuMs) { spin(cpuMs); }

  static void firstInvocationWork(long cpuMs) { spin(cpuMs); }

  /** This thread's CPU time, not wall time: on a loaded machine the work still gets sampled. */
  private static double spin(long cpuMs) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long end = threads.getCurrentThreadCpuTime() + cpuMs * 1_000_000L;
    double x = 1;
    while (threads.getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 20_000; i++) x = Math.sqrt(x + i);
    }
    return x;
  }
}
