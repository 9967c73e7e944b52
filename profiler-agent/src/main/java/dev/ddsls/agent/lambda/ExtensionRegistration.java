package dev.ddsls.agent.lambda;

import dev.ddsls.agent.http.HttpIo;
import dev.ddsls.agent.http.HttpHead;
import dev.ddsls.agent.AgentLog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Registers the agent as an internal Lambda extension and then waits on {@code /extension/event/next} forever.
 * Why: with an extension registered, Lambda sends SIGTERM to the runtime at shutdown, so the agent's shutdown
 * hook gets to flush. It registers for no events ({@code events} is optional in the Extensions API; AWS's Lambda
 * Web Adapter registers the same way): internal extensions cannot subscribe to SHUTDOWN, and an INVOKE subscription
 * would cost every invocation an exchange with the Runtime API and a thread wake-up beside the handler, and put
 * this extension's next {@code event/next} into the billed Duration, for events the agent has no use for (its proxy
 * sees every invocation already).
 */
public final class ExtensionRegistration implements Runnable {
  static final String NAME = "ddsls-agent";
  static final String REGISTER = "/2020-01-01/extension/register";
  static final String NEXT = "/2020-01-01/extension/event/next";
  static final String ID_HEADER = "Lambda-Extension-Identifier";
  static final byte[] EVENTS = "{\"events\":[]}".getBytes(StandardCharsets.US_ASCII);

  private final String hostPort;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  /** Whether the connection already carried an exchange (then a failure may just be an idle close: retry once). */
  private boolean reused;

  private ExtensionRegistration(String hostPort) { this.hostPort = hostPort; }

  /** Registers and polls on daemon thread {@code ddsls-extension}, against the real Runtime API {@code host:port}. */
  public static void startInBackground(String upstreamHostPort) {
    try {
      Thread t = new Thread(new ExtensionRegistration(upstreamHostPort), "ddsls-extension");
      t.setDaemon(true);
      t.start();
    } catch (Throwable t) {
      AgentLog.once("extension:start", "cannot start the extension thread: " + AgentLog.describe(t));
    }
  }

  /** The registration and event loop (runs on the extension thread; not for callers). */
  @Override public void run() {
    String id;
    try {
      HttpHead registered = call("POST", REGISTER, "Lambda-Extension-Name", NAME, EVENTS);
      id = registered.get(ID_HEADER);
      if (registered.status() != 200 || id == null) {
        AgentLog.once("extension:register", "extension registration answered '" + registered.startLine() + "'"
            + (id == null ? " without " + ID_HEADER : "") + "; no SIGTERM at shutdown");
        ProxyConnection.closeQuietly(socket);
        return;
      }
    } catch (Throwable t) {
      AgentLog.once("extension:register", "cannot register with the Lambda extension API at " + hostPort + " (" + AgentLog.describe(t)
          + "); no SIGTERM at shutdown");
      ProxyConnection.closeQuietly(socket);
      return;
    }
    // Registered: Lambda waits for this extension's first event/next before init completes. With no events it is
    // never answered, but an answer (a Runtime API that sends events anyway) is read and polled past, and the loop
    // must never end while the process lives. Failures are logged once and retried with a capped back-off.
    long backoffMillis = 0;
    for (;;) {
      try {
        HttpHead event = call("GET", NEXT, ID_HEADER, id, null);
        if (event.status() < 400) {
          backoffMillis = 0;
          continue;
        }
        AgentLog.once("extension:next", "extension event/next answered '" + event.startLine() + "'; retrying");
      } catch (Throwable t) {
        AgentLog.once("extension:failure", "Lambda extension API at " + hostPort + " failed (" + AgentLog.describe(t) + "); retrying");
        ProxyConnection.closeQuietly(socket);
        socket = null;
      }
      backoffMillis = Math.min(5_000, Math.max(50, backoffMillis * 2));
      try {
        Thread.sleep(backoffMillis);
      } catch (InterruptedException e) {
        ProxyConnection.closeQuietly(socket);
        return;
      }
    }
  }

  /** One exchange with a single extra header; the response body is read and dropped. */
  private HttpHead call(String method, String path, String header, String value, byte[] body) throws IOException {
    HttpHead request = new HttpHead(method + " " + path + " HTTP/1.1");
    request.add("Host", hostPort);
    request.add(header, value);
    if (body != null) {
      request.add("Content-Type", "application/json");
      request.add("Content-Length", Integer.toString(body.length));
    }
    HttpHead response;
    try {
      response = exchange(request, body);
    } catch (IOException e) {
      if (!reused) throw e;
      response = null;
    }
    if (response == null && reused) { // the idle connection was closed by the peer: once more on a new one
      ProxyConnection.closeQuietly(socket);
      socket = null;
      response = exchange(request, body);
    }
    if (response == null) throw new IOException("connection closed without an answer");
    long length = response.responseBodyLength(method);
    HttpIo.relayBody(in, length, null, null);
    reused = true;
    if (!response.keepsAlive() || length == HttpIo.UNTIL_CLOSE) {
      ProxyConnection.closeQuietly(socket);
      socket = null;
    }
    return response;
  }

  private HttpHead exchange(HttpHead request, byte[] body) throws IOException {
    if (socket == null) {
      reused = false;
      InetSocketAddress address = HttpIo.address(hostPort);
      socket = HttpIo.connect(address);
      in = new BufferedInputStream(socket.getInputStream(), 8192);
      out = new BufferedOutputStream(socket.getOutputStream(), 8192);
    }
    out.write(request.toBytes());
    if (body != null) out.write(body);
    out.flush();
    return HttpIo.readHead(in);
  }
}
