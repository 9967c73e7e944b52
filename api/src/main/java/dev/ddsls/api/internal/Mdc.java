package dev.ddsls.api.internal;

import java.lang.reflect.Method;

/**
 * Puts correlation ids into the SLF4J MDC and the Log4j 2 ThreadContext, whichever the calling thread's context
 * class loader (in Lambda: the runtime's loader of the function's code) can see. Looked up once per loader by
 * reflection; nothing is loaded when neither library is present.
 */
public final class Mdc {
  private static final Object LOCK = new Object();
  private static ClassLoader cachedFor;
  private static boolean looked;
  private static Method slf4jPut;
  private static Method log4jPut;

  private Mdc() {}

  public static void put(String[] keys, String[] values) {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader == null) loader = ClassLoader.getSystemClassLoader();
      Method s, l;
      synchronized (LOCK) {
        if (!looked || cachedFor != loader) {
          slf4jPut = find(loader, "org.slf4j.MDC");
          log4jPut = find(loader, "org.apache.logging.log4j.ThreadContext");
          cachedFor = loader;
          looked = true;
        }
        s = slf4jPut;
        l = log4jPut;
      }
      for (int i = 0; i < keys.length; i++) {
        if (values[i] == null) continue;
        if (s != null) s.invoke(null, keys[i], values[i]);
        if (l != null) l.invoke(null, keys[i], values[i]);
      }
    } catch (Throwable ignored) {
      // correlation is best effort: never fail the function's code
    }
  }

  private static Method find(ClassLoader loader, String className) {
    try {
      return Class.forName(className, true, loader).getMethod("put", String.class, String.class);
    } catch (Throwable t) {
      return null;
    }
  }
}
