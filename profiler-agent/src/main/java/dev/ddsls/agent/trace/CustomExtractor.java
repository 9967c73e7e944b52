package dev.ddsls.agent.trace;

import dev.ddsls.agent.AgentLog;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code DD_TRACE_EXTRACTOR=com.example.Extractors::fromMqtt}: a public static method of the function's code that
 * takes the event ({@code Map<String,Object>}, {@code String} or {@code byte[]}, chosen by its parameter type) and
 * returns carrier headers ({@code Map<String,String>}). It is tried before the built-in carriers; null or an empty
 * map falls through to them. Any failure is logged once and ignored.
 *
 * <p>Class loader: the runtime's main thread (the one that ran premain) gets the loader of the function's code as
 * its context class loader before the handler is loaded, so the class is resolved, on first use, through that
 * thread's context class loader, then the system class loader. No thread scan, no guessing of paths.
 */
final class CustomExtractor {
  private final String spec;
  private final Thread mainThread;
  private volatile boolean resolved;
  private volatile Method method;

  CustomExtractor(String spec, Thread mainThread) {
    this.spec = spec;
    this.mainThread = mainThread;
  }

  /** Headers from the user's method, or null (not configured usable, returned nothing, or failed). */
  Map<String, ?> headers(Object event, byte[] payload) {
    Method m = method();
    if (m == null) return null;
    try {
      Class<?> p = m.getParameterTypes()[0];
      Object arg;
      if (p == byte[].class) arg = payload;
      else if (p == String.class) arg = payload == null ? null : new String(payload, StandardCharsets.UTF_8);
      else arg = event;
      Object out = m.invoke(null, arg);
      if (out == null) return null;
      if (!(out instanceof Map)) {
        AgentLog.once("extractor-type", "DD_TRACE_EXTRACTOR " + spec + " returned a " + out.getClass().getName() + ", not a Map; ignored");
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> headers = (Map<String, ?>) out;
      return headers;
    } catch (Throwable t) {
      Throwable cause = t instanceof InvocationTargetException && t.getCause() != null ? t.getCause() : t;
      AgentLog.once("extractor-failed", "DD_TRACE_EXTRACTOR " + spec + " failed (" + AgentLog.describe(cause) + "); using the built-in extraction");
      return null;
    }
  }

  private Method method() {
    if (resolved) return method;
    synchronized (this) {
      if (!resolved) {
        method = resolve();
        resolved = true;
      }
    }
    return method;
  }

  private Method resolve() {
    int sep = spec.indexOf("::");
    if (sep < 0) sep = spec.lastIndexOf('.');
    int skip = spec.startsWith("::", sep) ? 2 : 1;
    if (sep <= 0 || sep + skip >= spec.length()) {
      AgentLog.once("extractor-spec", "DD_TRACE_EXTRACTOR='" + spec + "' is not class::method; ignored");
      return null;
    }
    String className = spec.substring(0, sep), name = spec.substring(sep + skip);
    Class<?> c = load(className);
    if (c == null) {
      AgentLog.once("extractor-class", "DD_TRACE_EXTRACTOR class " + className + " was not found; ignored");
      return null;
    }
    Class<?>[] accepted = {Map.class, String.class, byte[].class};
    for (Class<?> type : accepted) {
      for (Method m : c.getMethods()) {
        if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1
            && m.getParameterTypes()[0] == type && Map.class.isAssignableFrom(m.getReturnType())) {
          return m;
        }
      }
    }
    AgentLog.once("extractor-method", "DD_TRACE_EXTRACTOR: " + className + " has no public static Map " + name
        + "(Map|String|byte[]); ignored");
    return null;
  }

  private Class<?> load(String className) {
    ClassLoader[] loaders = {mainThread == null ? null : mainThread.getContextClassLoader(), ClassLoader.getSystemClassLoader()};
    for (ClassLoader l : loaders) {
      if (l == null) continue;
      try {
        return Class.forName(className, true, l);
      } catch (Throwable ignored) {
        // try the next loader
      }
    }
    return null;
  }
}
