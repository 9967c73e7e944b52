package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuntimeClientGateTest {
  private Properties original;

  @BeforeEach void keep() { original = System.getProperties(); }

  @AfterEach void restore() { System.setProperties(original); }

  @Test void opensOnceOnTheInitThreadsReadOfTheTaskRoot() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    Thread init = Thread.currentThread();
    assertTrue(RuntimeClientGate.install(init, opened::incrementAndGet));

    System.getProperty("java.version");
    assertEquals(0, opened.get(), "another key");
    Thread other = new Thread(() -> System.getProperty(RuntimeClientGate.KEY));
    other.start();
    other.join();
    assertEquals(0, opened.get(), "another thread");

    assertEquals(original.getProperty("user.dir"), System.getProperty(RuntimeClientGate.KEY));
    assertEquals(1, opened.get());
    System.getProperty(RuntimeClientGate.KEY);
    System.getProperty(RuntimeClientGate.KEY, "default");
    assertEquals(1, opened.get(), "once only");
  }

  @Test void theCopyHoldsEveryPropertyAndTakesNewOnes() {
    original.setProperty("ddsls.test.before", "1");
    try {
      assertTrue(RuntimeClientGate.install(Thread.currentThread(), () -> { }));
      Properties gate = System.getProperties();
      assertNotSame(original, gate);
      assertEquals(original.stringPropertyNames(), gate.stringPropertyNames());
      for (String name : original.stringPropertyNames()) assertEquals(original.getProperty(name), gate.getProperty(name), name);

      System.setProperty("ddsls.test.after", "2");
      assertEquals("2", System.getProperty("ddsls.test.after"));
      assertEquals("2", System.getProperties().get("ddsls.test.after"));
      assertEquals("1", System.getProperty("ddsls.test.before"));
    } finally {
      original.remove("ddsls.test.before");
    }
  }
}
