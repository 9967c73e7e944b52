package dev.ddsls.agent.lambda;

import static dev.ddsls.agent.lambda.RawHttp.ascii;
import static dev.ddsls.agent.lambda.RawHttp.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy between a raw-socket runtime and a raw-socket fake Runtime API: bytes in must equal bytes out. */
class RuntimeApiProxyTest {
  static final String NEXT = "/2018-06-01/runtime/invocation/next";
  static final byte[] NOT_FOUND = ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  static final byte[] ACCEPTED = ascii("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n");

  final Map<String, byte[]> answers = new ConcurrentHashMap<>();
  final RecordingListener listener = new RecordingListener();
  /** How many onNextRequested calls the listener had seen when the upstream received each GET /next. */
  final List<Integer> nextRequestedAtUpstream = new CopyOnWriteArrayList<>();
  RawUpstream upstream;
  RuntimeApiProxy proxy;

  @BeforeEach void start() throws IOException {
    upstream = new RawUpstream(seen -> {
      String start = seen.request.startLine();
      if (start.startsWith("GET " + NEXT + " ")) nextRequestedAtUpstream.add(listener.count("onNextRequested"));
      byte[] answer = answers.get(start.substring(0, start.lastIndexOf(' ')));
      return answer != null ? answer : NOT_FOUND;
    });
    proxy = RuntimeApiProxy.start(upstream.hostPort(), 0, listener);
  }

  @AfterEach void stop() throws IOException {
    proxy.close();
    upstream.close();
  }

  @Test void nextAndResponsePassByteExactOnOneKeptAliveConnection() throws Exception {
    byte[] event = ascii("{\"body\":\"hello\",\"n\":1}");
    byte[] nextAnswer = concat(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
        + "lambda-runtime-deadline-ms: 1700000000123\r\n"
        + "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n"
        + "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n"
        + "LAMBDA-RUNTIME-CLIENT-CONTEXT: {\"custom\":{\"k\":\"v\"}}\r\n"
        + "X-Odd:   spaced value  \r\n"
        + "Content-Length: " + event.length + "\r\n\r\n"), event);
    answers.put("GET " + NEXT, nextAnswer);
    answers.put("POST /2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response", ACCEPTED);

    try (Client client = new Client()) {
      byte[] get = client.request("GET " + NEXT + " HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\nUser-Agent: test/1\r\nAccept: */*\r\n\r\n");
      client.send(get);
      assertArrayEquals(nextAnswer, client.read().raw);
      assertArrayEquals(toUpstream(get), upstream.next().request.raw);
      assertEquals(List.of(1), nextRequestedAtUpstream, "onNextRequested runs before the GET goes upstream");

      InvocationEvent e = listener.await("onInvocation", 1).event;
      assertEquals("8476a536-e9f4-11e8-9739-2dfe598c3fcd", e.requestId());
      assertEquals(1700000000123L, e.deadlineMs());
      assertEquals("arn:aws:lambda:us-east-1:123456789012:function:f", e.functionArn());
      assertEquals("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1", e.xrayTraceHeader());
      assertEquals("{\"custom\":{\"k\":\"v\"}}", e.clientContext());
      assertEquals("spaced value", e.headers().get("x-odd"));
      assertEquals("application/json", e.headers().get("content-type"));
      assertArrayEquals(event, e.payload());

      byte[] big = new byte[5 * 1024 * 1024 + 17];
      new Random(1).nextBytes(big);
      listener.responseGate = new CountDownLatch(1);
      byte[] post = concat(client.request("POST /2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + proxy.port() + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + big.length + "\r\n\r\n"), big);
      client.send(post);
      assertArrayEquals(ACCEPTED, client.read().raw);
      listener.responseGate.countDown();
      assertArrayEquals(toUpstream(post), upstream.next().request.raw);

      RecordingListener.Call done = listener.await("onResponse", 1);
      assertFalse(listener.responseGateTimedOut, "onResponse must come after the runtime got its answer");
      assertEquals("8476a536-e9f4-11e8-9739-2dfe598c3fcd", done.id);
      assertEquals(big.length, done.bytes);
      assertEquals(List.of("onNextRequested", "onInvocation", "onResponse"), listener.names());
      List<RecordingListener.Call> calls = listener.calls();
      assertTrue(calls.get(0).nanos < calls.get(1).nanos && calls.get(1).nanos < calls.get(2).nanos);
    }
    assertEquals(1, upstream.connections.get(), "one upstream connection for one runtime connection");
  }

  @Test void bigEventAndChunkedEventReachRuntimeAndListenerIntact() throws Exception {
    byte[] event = new byte[5 * 1024 * 1024];
    new Random(2).nextBytes(event);
    byte[] bigAnswer = concat(ascii("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: big\r\nContent-Length: " + event.length + "\r\n\r\n"), event);
    byte[] chunkedAnswer = ascii("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: chunky\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\n{\"a\":\r\n3;ext=1\r\n12}\r\n0\r\n\r\n");
    try (Client client = new Client()) {
      answers.put("GET " + NEXT, bigAnswer);
      client.send(client.request("GET " + NEXT + " HTTP/1.1\r\nHost: x\r\n\r\n"));
      assertArrayEquals(bigAnswer, client.read().raw);
      assertArrayEquals(event, listener.await("onInvocation", 1).event.payload());

      answers.put("GET " + NEXT, chunkedAnswer);
      client.send(client.request("GET " + NEXT + " HTTP/1.1\r\nHost: x\r\n\r\n"));
      assertArrayEquals(chunkedAnswer, client.read().raw);
      InvocationEvent e = listener.await("onInvocation", 2).event;
      assertEquals("chunky", e.requestId());
      assertEquals("{\"a\":12}", new String(e.payload(), StandardCharsets.UTF_8));
    }
  }

  @Test void chunkedResponseStreamsThroughWithTrailers() throws Exception {
    answers.put("POST /2018-06-01/runtime/invocation/s-1/response", ACCEPTED);
    try (Client client = new Client()) {
      byte[] head = client.request("POST /2018-06-01/runtime/invocation/s-1/response HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\n"
          + "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
          + "Trailer: Lambda-Runtime-Function-Error-Type\r\n\r\n");
      byte[] first = ascii("4\r\nabcd\r\n");
      client.send(concat(head, first));
      byte[] seenFirst = upstream.chunks.poll(10, TimeUnit.SECONDS);
      assertArrayEquals(ascii("abcd"), seenFirst, "the first chunk reaches upstream before the runtime sends the rest");

      byte[] tail = new byte[4096];
      new Random(3).nextBytes(tail);
      byte[] rest = concat(ascii("1000;note=x\r\n"), tail, ascii("\r\n0\r\nLambda-Runtime-Function-Error-Type: none\r\n\r\n"));
      client.send(rest);
      assertArrayEquals(ACCEPTED, client.read().raw);
      assertArrayEquals(toUpstream(concat(head, first, rest)), upstream.next().request.raw);
      RecordingListener.Call done = listener.await("onResponse", 1);
      assertEquals("s-1", done.id);
      assertEquals(4 + 4096, done.bytes);
    }
  }

  @Test void invocationErrorAndInitErrorReachListenerAfterForwarding() throws Exception {
    answers.put("POST /2018-06-01/runtime/invocation/e-1/error", ACCEPTED);
    answers.put("POST /2018-06-01/runtime/init/error", ACCEPTED);
    byte[] errorBody = ascii("{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\",\"stackTrace\":[]}");
    try (Client client = new Client()) {
      byte[] err = concat(client.request("POST /2018-06-01/runtime/invocation/e-1/error HTTP/1.1\r\nHost: h\r\n"
          + "Lambda-Runtime-Function-Error-Type: Runtime.IllegalStateException\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + errorBody.length + "\r\n\r\n"), errorBody);
      client.send(err);
      assertArrayEquals(ACCEPTED, client.read().raw);
      assertArrayEquals(toUpstream(err), upstream.next().request.raw);
      RecordingListener.Call c = listener.await("onInvocationError", 1);
      assertEquals("e-1", c.id);
      assertEquals("Runtime.IllegalStateException", c.errorType);
      assertArrayEquals(errorBody, c.body);

      byte[] init = concat(client.request("POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: h\r\n"
          + "lambda-runtime-function-error-type: Runtime.BadFunctionCode\r\nContent-Length: " + errorBody.length + "\r\n\r\n"), errorBody);
      client.send(init);
      assertArrayEquals(ACCEPTED, client.read().raw);
      assertArrayEquals(toUpstream(init), upstream.next().request.raw);
      RecordingListener.Call i = listener.await("onInitError", 1);
      assertEquals("Runtime.BadFunctionCode", i.errorType);
      assertArrayEquals(errorBody, i.body);
    }
  }

  @Test void snapStartRestoreIsSeenAroundTheSnapshotAndUpstreamIsReopenedAfterIt() throws Exception {
    String restoreNext = "/2018-06-01/runtime/restore/next";
    byte[] restored = ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    answers.put("GET " + restoreNext, restored);
    answers.put("POST /2018-06-01/runtime/restore/error", ACCEPTED);
    byte[] nextAnswer = ascii("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: a-1\r\nContent-Length: 2\r\n\r\n{}");
    answers.put("GET " + NEXT, nextAnswer);
    List<Integer> checkpointsAtUpstream = new CopyOnWriteArrayList<>();
    upstream.close();
    upstream = new RawUpstream(seen -> {
      String start = seen.request.startLine();
      if (start.startsWith("GET " + restoreNext + " ")) checkpointsAtUpstream.add(listener.count("onCheckpoint"));
      byte[] answer = answers.get(start.substring(0, start.lastIndexOf(' ')));
      return answer != null ? answer : NOT_FOUND;
    });
    proxy.close();
    proxy = RuntimeApiProxy.start(upstream.hostPort(), 0, listener);
    try (Client client = new Client()) {
      byte[] get = client.request("GET " + restoreNext + " HTTP/1.1\r\nHost: h\r\n\r\n");
      client.send(get);
      assertArrayEquals(restored, client.read().raw);
      assertArrayEquals(toUpstream(get), upstream.next().request.raw);
      assertEquals(List.of(1), checkpointsAtUpstream, "onCheckpoint runs before /restore/next goes upstream");
      assertEquals(List.of("onCheckpoint", "onRestored"), listener.names(), "onRestored before the runtime has its answer");

      // The same runtime connection's next exchange goes on a new upstream connection: the old one is the snapshot's.
      byte[] next = client.request("GET " + NEXT + " HTTP/1.1\r\nHost: h\r\n\r\n");
      client.send(next);
      assertArrayEquals(nextAnswer, client.read().raw);
      RawUpstream.Seen seen = upstream.next();
      assertArrayEquals(toUpstream(next), seen.request.raw);
      assertEquals(2, seen.connection, "upstream re-opened after the restore");

      byte[] errorBody = ascii("{\"errorMessage\":\"hook\",\"errorType\":\"java.lang.RuntimeException\"}");
      byte[] err = concat(client.request("POST /2018-06-01/runtime/restore/error HTTP/1.1\r\nHost: h\r\n"
          + "Lambda-Runtime-Function-Error-Type: Runtime.AfterRestoreError\r\nContent-Length: " + errorBody.length + "\r\n\r\n"), errorBody);
      client.send(err);
      assertArrayEquals(ACCEPTED, client.read().raw);
      assertArrayEquals(toUpstream(err), upstream.next().request.raw);
      assertEquals("Runtime.AfterRestoreError", listener.await("onRestoreError", 1).errorType);
    }
  }

  @Test void throwingListenerChangesNothing() throws Exception {
    listener.throwing = true;
    byte[] nextAnswer = ascii("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: t-1\r\nContent-Length: 2\r\n\r\n{}");
    answers.put("GET " + NEXT, nextAnswer);
    answers.put("POST /2018-06-01/runtime/invocation/t-1/response", ACCEPTED);
    answers.put("POST /2018-06-01/runtime/invocation/t-1/error", ACCEPTED);
    try (Client client = new Client()) {
      for (int round = 0; round < 2; round++) {
        byte[] get = client.request("GET " + NEXT + " HTTP/1.1\r\nHost: h\r\n\r\n");
        client.send(get);
        assertArrayEquals(nextAnswer, client.read().raw);
        assertArrayEquals(toUpstream(get), upstream.next().request.raw);
        byte[] post = client.request("POST /2018-06-01/runtime/invocation/t-1/" + (round == 0 ? "response" : "error")
            + " HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
        client.send(post);
        assertArrayEquals(ACCEPTED, client.read().raw);
        assertArrayEquals(toUpstream(post), upstream.next().request.raw);
      }
    }
    listener.await("onInvocationError", 1);
    assertEquals(List.of("onNextRequested", "onInvocation", "onResponse", "onNextRequested", "onInvocation", "onInvocationError"),
        listener.names());
    assertEquals(1, upstream.connections.get());
  }

  @Test void otherRoutesAreForwardedBlindly() throws Exception {
    byte[] restore = ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    byte[] registered = ascii("HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: abc\r\nContent-Length: 2\r\n\r\n{}");
    answers.put("GET /2018-06-01/runtime/restore/next", restore);
    answers.put("POST /2020-01-01/extension/register", registered);
    try (Client client = new Client()) {
      byte[] r = client.request("GET /2018-06-01/runtime/restore/next HTTP/1.1\r\nHost: h\r\n\r\n");
      client.send(r);
      assertArrayEquals(restore, client.read().raw);
      assertArrayEquals(toUpstream(r), upstream.next().request.raw);
      byte[] reg = client.request("POST /2020-01-01/extension/register HTTP/1.1\r\nHost: h\r\nLambda-Extension-Name: other\r\n"
          + "Content-Length: 21\r\n\r\n{\"events\":[\"INVOKE\"]}");
      client.send(reg);
      assertArrayEquals(registered, client.read().raw);
      assertArrayEquals(toUpstream(reg), upstream.next().request.raw);
      byte[] get404 = client.request("GET /2018-06-01/runtime/invocation/next/extra HTTP/1.1\r\nHost: h\r\n\r\n");
      client.send(get404);
      assertArrayEquals(NOT_FOUND, client.read().raw);
    }
    assertEquals(List.of("onCheckpoint", "onRestored"), listener.names(), "only SnapStart's /restore/next is followed");
  }

  @Test void expectContinueIsAnsweredByTheProxy() throws Exception {
    answers.put("POST /2018-06-01/runtime/invocation/c-1/response", ACCEPTED);
    try (Client client = new Client()) {
      client.send(ascii("POST /2018-06-01/runtime/invocation/c-1/response HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
      assertArrayEquals(ascii("HTTP/1.1 100 Continue\r\n\r\n"), client.in.readNBytes(25));
      client.send(ascii("hello"));
      assertArrayEquals(ACCEPTED, client.read().raw);
      RawHttp seen = upstream.next().request;
      assertNull(seen.header("Expect"));
      assertEquals("hello", seen.text());
      assertEquals(5, listener.await("onResponse", 1).bytes);
    }
  }

  @Test void idleUpstreamCloseIsHiddenFromTheRuntime() throws Exception {
    upstream.closeAfterEachAnswer = true;
    byte[] nextAnswer = ascii("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r\r\nContent-Length: 2\r\n\r\n{}");
    answers.put("GET " + NEXT, nextAnswer);
    try (Client client = new Client()) {
      for (int i = 0; i < 3; i++) {
        client.send(client.request("GET " + NEXT + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertArrayEquals(nextAnswer, client.read().raw);
      }
    }
    assertEquals(3, upstream.connections.get());
    assertEquals(3, listener.count("onInvocation"));
  }

  @Test void unreachableUpstreamAnswers502() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    try (RuntimeApiProxy dead = RuntimeApiProxy.start("127.0.0.1:" + deadPort, 0, listener)) {
      for (String request : new String[] {"GET " + NEXT + " HTTP/1.1\r\nHost: h\r\n\r\n",
          "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nnope"}) {
        try (Client client = new Client(dead.port())) {
          client.send(ascii(request));
          RawHttp answer = client.read();
          assertTrue(answer.startLine().startsWith("HTTP/1.1 502 "), answer.startLine());
          assertTrue(answer.text().contains("unreachable"));
          assertEquals(-1, client.in.read(), "the proxy closes after a 502");
        }
      }
    }
    assertEquals(List.of("onNextRequested"), listener.names());
  }

  @Test void closeStopsListening() throws Exception {
    int port = proxy.port();
    proxy.close();
    boolean refused = false;
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(ascii("GET " + NEXT + " HTTP/1.1\r\nHost: h\r\n\r\n"));
      refused = s.getInputStream().read() < 0;
    } catch (IOException e) {
      refused = true;
    }
    assertTrue(refused);
  }

  private byte[] toUpstream(byte[] clientRequest) {
    String s = new String(clientRequest, StandardCharsets.ISO_8859_1);
    int host = s.indexOf("\r\nHost: ");
    int end = s.indexOf("\r\n", host + 2);
    return ascii(s.substring(0, host) + "\r\nHost: " + upstream.hostPort() + s.substring(end));
  }

  /** A runtime's connection: raw bytes out, one parsed message in at a time, 10 s read timeout so nothing hangs. */
  final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Client() throws IOException { this(proxy.port()); }

    Client(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    byte[] request(String text) { return ascii(text); }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    RawHttp read() throws IOException {
      RawHttp r = RawHttp.read(in, false, null);
      if (r == null) throw new IOException("proxy closed the connection");
      return r;
    }

    @Override public void close() throws IOException { socket.close(); }
  }
}
