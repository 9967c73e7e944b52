package dev.ddsls.agent.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The extension client against a fake Extensions API (the JDK's HTTP server) on loopback. */
class ExtensionRegistrationTest {
  HttpServer server;
  final List<String> registerNames = new CopyOnWriteArrayList<>();
  final List<String> registerBodies = new CopyOnWriteArrayList<>();
  final List<String> nextIds = new CopyOnWriteArrayList<>();
  final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  final List<Boolean> pollerIsDaemon = new CopyOnWriteArrayList<>();
  volatile int registerStatus = 200;

  @BeforeEach void start() throws IOException {
    awaitNoExtensionThread(); // a previous test's loop must be over, so thread checks see this test's
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(ExtensionRegistration.REGISTER, x -> {
      clientPorts.add(x.getRemoteAddress().getPort());
      registerNames.add(x.getRequestHeaders().getFirst("Lambda-Extension-Name"));
      registerBodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (registerStatus == 200) x.getResponseHeaders().add("Lambda-Extension-Identifier", "ext-id-42");
      answer(x, registerStatus, "{\"functionName\":\"f\",\"functionVersion\":\"$LATEST\",\"handler\":\"h\"}");
    });
    server.createContext(ExtensionRegistration.NEXT, x -> {
      clientPorts.add(x.getRemoteAddress().getPort());
      x.getRequestBody().readAllBytes();
      nextIds.add(x.getRequestHeaders().getFirst("Lambda-Extension-Identifier"));
      Thread poller = extensionThread();
      pollerIsDaemon.add(poller != null && poller.isDaemon());
      int n = nextIds.size();
      if (n >= 8) { // enough: hold the poll open, as Lambda does between invocations
        try {
          Thread.sleep(20_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      if (n != 4 && n != 5) {
        answer(x, 200, "{\"eventType\":\"INVOKE\",\"deadlineMs\":1700000000000,\"requestId\":\"r-" + nextIds.size()
            + "\",\"invokedFunctionArn\":\"arn:aws:lambda:us-east-1:1:function:f\",\"tracing\":{\"type\":\"X-Amzn-Trace-Id\",\"value\":\"Root=1-a-b\"}}");
      } else {
        answer(x, 500, "{\"errorMessage\":\"gone\"}");
      }
    });
    server.start();
  }

  @AfterEach void stop() {
    server.stop(0);
    Thread t = extensionThread();
    if (t != null) t.interrupt(); // the loop never ends by itself once registered
  }

  @Test void registersWithNameAndEventsThenPollsWithItsIdentifierAndOutlivesErrors() throws Exception {
    ExtensionRegistration.startInBackground("127.0.0.1:" + server.getAddress().getPort());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (nextIds.size() < 8 && System.nanoTime() < end) Thread.sleep(20);
    assertEquals(List.of("ddsls-agent"), registerNames);
    assertEquals(List.of("{\"events\":[]}"), registerBodies); // no INVOKE: nothing per invocation
    // polls 4 and 5 got a 500: once registered, Lambda waits for this extension, so it must keep polling
    assertEquals(List.of("ext-id-42", "ext-id-42", "ext-id-42", "ext-id-42", "ext-id-42", "ext-id-42", "ext-id-42", "ext-id-42"), nextIds);
    assertTrue(pollerIsDaemon.stream().allMatch(d -> d), "polls come from the daemon thread");
    assertTrue(extensionThread() != null, "still polling");
  }

  @Test void refusedRegistrationStopsWithoutPolling() throws Exception {
    registerStatus = 403;
    ExtensionRegistration.startInBackground("127.0.0.1:" + server.getAddress().getPort());
    awaitNoExtensionThread();
    assertEquals(1, registerNames.size());
    assertTrue(nextIds.isEmpty());
  }

  @Test void unreachableApiEndsTheThread() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    ExtensionRegistration.startInBackground("127.0.0.1:" + deadPort);
    awaitNoExtensionThread();
    assertTrue(registerNames.isEmpty());
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  private static Thread extensionThread() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("ddsls-extension") && t.isAlive()) return t;
    }
    return null;
  }

  private static void awaitNoExtensionThread() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      Thread t = extensionThread();
      if (t == null) return;
      try {
        t.join(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertFalse(extensionThread() != null, "the extension thread did not stop");
  }
}
