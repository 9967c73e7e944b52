package dev.ddsls.agent.lambda;

import dev.ddsls.agent.http.HttpIo;
import dev.ddsls.agent.http.HttpHead;
import dev.ddsls.agent.http.CappedBuffer;
import dev.ddsls.agent.http.WireInput;
import dev.ddsls.agent.AgentLog;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * One runtime connection to the proxy and its own upstream connection: relays request/response pairs in order
 * (keep-alive) and tells the listener about invocation boundaries. The upstream is connected lazily and the two
 * connections close together, so the runtime sees the Runtime API's connection behaviour.
 */
final class ProxyConnection implements Runnable {
  private static final String NEXT = "/2018-06-01/runtime/invocation/next";
  private static final String INVOCATION = "/2018-06-01/runtime/invocation/";
  private static final String INIT_ERROR = "/2018-06-01/runtime/init/error";
  /** SnapStart: the runtime client asks for this after its beforeCheckpoint hooks; it returns in a restored copy. */
  private static final String RESTORE_NEXT = "/2018-06-01/runtime/restore/next";
  private static final String RESTORE_ERROR = "/2018-06-01/runtime/restore/error";
  private static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
  private static final int OTHER = 0, ROUTE_NEXT = 1, ROUTE_RESPONSE = 2, ROUTE_ERROR = 3, ROUTE_INIT_ERROR = 4,
      ROUTE_RESTORE_NEXT = 5, ROUTE_RESTORE_ERROR = 6;
  /** Events are at most 6 MB (Lambda's payload limit); this bounds what is held for the listener. */
  private static final int MAX_EVENT = 16 << 20;
  private static final int MAX_ERROR_BODY = 1 << 20;
  private static final int BUFFER = 64 * 1024;
  private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private final Socket client;
  /** The proxy's open connections; this one leaves it when done, so closing the proxy only touches live sockets. */
  private final Set<Socket> live;
  private final InetSocketAddress upstreamAddress;
  private final String upstreamHostPort;
  private final InvocationListener listener;
  private InputStream cin;
  private OutputStream cout;
  private Socket upstream;
  private InputStream uin;
  private OutputStream uout;
  /** Whether the upstream connection already carried an exchange (an idle peer may have closed it). */
  private boolean upstreamReused;
  /** Whether the request being forwarded is a {@code /next}. */
  private boolean forwardingNext;
  /** Whether anything of the current exchange's answer reached the runtime (then a 502 is no longer possible). */
  private boolean answering;
  /** Decoded body bytes of the current request. */
  private long requestBytes;
  /** {@link RuntimeApiProxy#restores} when the upstream connection was opened: one opened before a restore is replaced. */
  private int upstreamRestoreCount;
  private final RuntimeApiProxy proxy;
  /** Bodies are copied through this one buffer: a new one per body was a tenth of the proxy's CPU. */
  private final byte[] scratch = new byte[16 * 1024];

  ProxyConnection(Socket client, InetSocketAddress upstreamAddress, String upstreamHostPort, InvocationListener listener,
                  Set<Socket> live) {
    this(client, upstreamAddress, upstreamHostPort, listener, live, null);
  }

  ProxyConnection(Socket client, InetSocketAddress upstreamAddress, String upstreamHostPort, InvocationListener listener,
                  Set<Socket> live, RuntimeApiProxy proxy) {
    this.proxy = proxy;
    this.client = client;
    this.live = live;
    this.upstreamAddress = upstreamAddress;
    this.upstreamHostPort = upstreamHostPort;
    this.listener = listener;
  }

  @Override public void run() {
    try {
      client.setTcpNoDelay(true);
      cin = new WireInput(client.getInputStream(), BUFFER);
      cout = new BufferedOutputStream(client.getOutputStream(), BUFFER);
      while (exchange()) {
        answering = false;
      }
    } catch (IOException e) {
      AgentLog.debug("proxy: connection ended: " + AgentLog.describe(e));
    } catch (Throwable t) {
      AgentLog.once("proxy:failure", "Runtime API proxy connection failed: " + AgentLog.describe(t));
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
      live.remove(client);
    }
  }

  /** Relays one request and its answer; false when both connections should close. */
  private boolean exchange() throws IOException {
    HttpHead request = HttpIo.readHead(cin);
    if (request == null) return false;
    String method = request.method();
    String path = request.path();
    int route = route(method, path);
    long requestLength = request.requestBodyLength();
    if (request.hasToken("Expect", "100-continue")) {
      // Answered here so the runtime does not wait on our relay; upstream then gets the body straight away.
      request.remove("Expect");
      cout.write(CONTINUE);
      cout.flush();
    }
    request.set("Host", upstreamHostPort);
    if (route == ROUTE_NEXT) notifyNextRequested();
    else if (route == ROUTE_RESTORE_NEXT) notifyCheckpoint();
    forwardingNext = route == ROUTE_NEXT;

    CappedBuffer capturedBody = route == ROUTE_ERROR || route == ROUTE_INIT_ERROR || route == ROUTE_RESTORE_ERROR
        ? new CappedBuffer(MAX_ERROR_BODY) : null;
    HttpHead response;
    try {
      response = forward(request, requestLength, capturedBody);
    } catch (IOException e) {
      if (!answering) badGateway(e);
      return false;
    }
    long responseLength = response.responseBodyLength(method);
    if (route == ROUTE_RESTORE_NEXT && response.status() == 200) {
      // Before the runtime client runs its afterRestore hooks: the agent re-reads its clock and reseeds first.
      notifyRestored(System.nanoTime());
      if (proxy != null) proxy.restored(); // this connection's next exchange, too, goes on a new upstream connection
    }
    if (route == ROUTE_NEXT && response.status() == 200) {
      relayInvocation(response, responseLength);
    } else {
      answering = true;
      cout.write(response.toBytes());
      HttpIo.relayBody(uin, responseLength, cout, null, scratch);
      cout.flush();
    }
    long answeredNanos = System.nanoTime();
    if (route == ROUTE_RESPONSE) notifyResponse(invocationId(path), answeredNanos, requestBytes);
    else if (route == ROUTE_ERROR) notifyError(invocationId(path), answeredNanos, request.get(ERROR_TYPE), capturedBody.toByteArray());
    else if (route == ROUTE_INIT_ERROR) notifyInitError(answeredNanos, request.get(ERROR_TYPE), capturedBody.toByteArray());
    else if (route == ROUTE_RESTORE_ERROR) notifyRestoreError(answeredNanos, request.get(ERROR_TYPE));
    return request.keepsAlive() && response.keepsAlive() && responseLength != HttpIo.UNTIL_CLOSE;
  }

  /** Sends the request upstream and returns the final response head; sets {@link #requestBytes}. */
  private HttpHead forward(HttpHead request, long length, CappedBuffer capturedBody) throws IOException {
    if (upstream != null && proxy != null && proxy.restores() != upstreamRestoreCount) {
      // Opened before a SnapStart restore: a connection kept in the snapshot need not work in the restored copy.
      closeQuietly(upstream);
      upstream = null;
    }
    if (upstream == null) {
      try {
        connectUpstream();
      } catch (IOException e) {
        HttpIo.relayBody(cin, length, null, null, scratch); // read the body, so the runtime gets the 502 instead of a reset
        throw e;
      }
    }
    boolean retryable = upstreamReused && length == 0;
    HttpHead response;
    try {
      requestBytes = sendRequest(request, length, capturedBody);
      response = readFinalHead();
    } catch (IOException e) {
      if (!retryable || answering) throw e;
      response = null;
    }
    if (response == null && retryable && !answering) { // the idle upstream closed: a bodiless request is safe to resend
      closeQuietly(upstream);
      upstream = null;
      connectUpstream();
      requestBytes = sendRequest(request, length, capturedBody);
      response = readFinalHead();
    }
    if (response == null) throw new IOException("Runtime API closed the connection without answering");
    upstreamReused = true;
    return response;
  }

  /** Holds a 200 {@code /next} answer until the listener has seen the event, then hands it to the runtime. */
  private void relayInvocation(HttpHead response, long length) throws IOException {
    HeldResponse held = new HeldResponse(cout, response.toBytes(), MAX_EVENT, length);
    CappedBuffer decoded = length == HttpIo.CHUNKED ? new CappedBuffer(MAX_EVENT) : null;
    HttpIo.relayBody(uin, length, held, decoded, scratch);
    long arrived = System.nanoTime();
    if (held.released()) {
      answering = true;
      AgentLog.once("proxy:big-event", "invocation event larger than " + MAX_EVENT + " bytes: relayed without its payload to the agent");
      cout.flush();
      notifyInvocation(event(response, new byte[0], arrived));
      return;
    }
    notifyInvocation(event(response, decoded != null ? decoded.toByteArray() : held.body(), arrived));
    answering = true;
    held.release();
    cout.flush();
  }

  private long sendRequest(HttpHead request, long length, CappedBuffer capturedBody) throws IOException {
    uout.write(request.toBytes());
    long n = HttpIo.relayBody(cin, length, uout, capturedBody, scratch);
    uout.flush();
    if (forwardingNext) {
      try {
        listener.onNextForwarded(System.nanoTime());
      } catch (Throwable t) {
        listenerFailed("onNextForwarded", t);
      }
    }
    return n;
  }

  /** The final response head; interim 1xx answers are passed to the runtime as they come. */
  private HttpHead readFinalHead() throws IOException {
    for (;;) {
      HttpHead head = HttpIo.readHead(uin);
      if (head == null) return null;
      int status = head.status();
      if (status < 100 || status >= 200 || status == 101) return head;
      answering = true;
      cout.write(head.toBytes());
      cout.flush();
    }
  }

  private void connectUpstream() throws IOException {
    upstreamReused = false;
    upstreamRestoreCount = proxy == null ? 0 : proxy.restores();
    upstream = HttpIo.connect(upstreamAddress);
    uin = new WireInput(upstream.getInputStream(), BUFFER);
    uout = new BufferedOutputStream(upstream.getOutputStream(), BUFFER);
  }

  /** The runtime fails as it would without the proxy, instead of waiting on a dead relay. */
  private void badGateway(IOException cause) {
    AgentLog.once("proxy:upstream", "Runtime API at " + upstreamHostPort + " failed: " + AgentLog.describe(cause) + "; answering 502");
    byte[] body = ("ddsls proxy: Runtime API " + upstreamHostPort + " unreachable: " + AgentLog.describe(cause) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    HttpHead head = new HttpHead("HTTP/1.1 502 Bad Gateway");
    head.add("Content-Type", "text/plain; charset=utf-8");
    head.add("Content-Length", Integer.toString(body.length));
    head.add("Connection", "close");
    try {
      cout.write(head.toBytes());
      cout.write(body);
      cout.flush();
    } catch (Throwable ignored) {
      // the runtime is gone too
    }
  }

  private static int route(String method, String path) {
    if (path.equals(NEXT)) return "GET".equals(method) ? ROUTE_NEXT : OTHER;
    if (path.equals(RESTORE_NEXT)) return "GET".equals(method) ? ROUTE_RESTORE_NEXT : OTHER;
    if (!"POST".equals(method)) return OTHER;
    if (path.equals(INIT_ERROR)) return ROUTE_INIT_ERROR;
    if (path.equals(RESTORE_ERROR)) return ROUTE_RESTORE_ERROR;
    if (!path.startsWith(INVOCATION) || path.indexOf('/', INVOCATION.length()) < 0) return OTHER;
    if (path.endsWith("/response")) return ROUTE_RESPONSE;
    if (path.endsWith("/error")) return ROUTE_ERROR;
    return OTHER;
  }

  /** {@code /2018-06-01/runtime/invocation/{id}/response} -> {@code id}. */
  private static String invocationId(String path) {
    return path.substring(INVOCATION.length(), path.lastIndexOf('/'));
  }

  private static InvocationEvent event(HttpHead response, byte[] payload, long arrived) {
    Map<String, String> h = response.headerMap();
    long deadline = 0;
    String d = h.get("lambda-runtime-deadline-ms");
    if (d != null) {
      try {
        deadline = Long.parseLong(d);
      } catch (NumberFormatException e) {
        deadline = 0;
      }
    }
    return new InvocationEvent(h.get("lambda-runtime-aws-request-id"), deadline, h.get("lambda-runtime-invoked-function-arn"),
        h.get("lambda-runtime-trace-id"), h.get("lambda-runtime-client-context"), h, payload, arrived);
  }

  private void notifyNextRequested() {
    try {
      listener.onNextRequested(System.nanoTime());
    } catch (Throwable t) {
      listenerFailed("onNextRequested", t);
    }
  }

  private void notifyCheckpoint() {
    try {
      listener.onCheckpoint(System.nanoTime());
    } catch (Throwable t) {
      listenerFailed("onCheckpoint", t);
    }
  }

  private void notifyRestored(long nanos) {
    try {
      listener.onRestored(nanos);
    } catch (Throwable t) {
      listenerFailed("onRestored", t);
    }
  }

  private void notifyRestoreError(long nanos, String type) {
    try {
      listener.onRestoreError(nanos, type);
    } catch (Throwable t) {
      listenerFailed("onRestoreError", t);
    }
  }

  private void notifyInvocation(InvocationEvent event) {
    try {
      listener.onInvocation(event);
    } catch (Throwable t) {
      listenerFailed("onInvocation", t);
    }
  }

  private void notifyResponse(String id, long nanos, long bytes) {
    try {
      listener.onResponse(id, nanos, (int) Math.min(Integer.MAX_VALUE, bytes));
    } catch (Throwable t) {
      listenerFailed("onResponse", t);
    }
  }

  private void notifyError(String id, long nanos, String type, byte[] body) {
    try {
      listener.onInvocationError(id, nanos, type, body);
    } catch (Throwable t) {
      listenerFailed("onInvocationError", t);
    }
  }

  private void notifyInitError(long nanos, String type, byte[] body) {
    try {
      listener.onInitError(nanos, type, body);
    } catch (Throwable t) {
      listenerFailed("onInitError", t);
    }
  }

  private static void listenerFailed(String method, Throwable t) {
    AgentLog.once("proxy:listener:" + method, "invocation listener " + method + " failed: " + AgentLog.describe(t));
  }

  static void closeQuietly(Closeable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
