package dev.ddsls.agent.lambda;

import dev.ddsls.agent.http.HttpIo;
import dev.ddsls.agent.AgentLog;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process Lambda Runtime API proxy: the runtime client talks to it (the layer's wrapper points
 * {@code AWS_LAMBDA_RUNTIME_API} here) and it relays every call unchanged to the real Runtime API, telling an
 * {@link InvocationListener} where invocations start and end. Plain sockets and one thread per runtime
 * connection: the runtime uses one or two connections, and an HTTP server library would cost cold start.
 */
public final class RuntimeApiProxy implements Closeable, Runnable {
  private final ServerSocket server;
  private final InetSocketAddress upstreamAddress;
  private final String upstreamHostPort;
  private final InvocationListener listener;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile Thread acceptThread;
  private int connectionCount;
  /** SnapStart restores seen: connections to the Runtime API opened before the latest one are replaced. */
  private volatile int restores;

  private RuntimeApiProxy(ServerSocket server, InetSocketAddress upstreamAddress, String upstreamHostPort, InvocationListener listener) {
    this.server = server;
    this.upstreamAddress = upstreamAddress;
    this.upstreamHostPort = upstreamHostPort;
    this.listener = listener;
  }

  /** Listens on 127.0.0.1:{@code listenPort} (0 = any free port) and relays to {@code upstreamHostPort}. */
  public static RuntimeApiProxy start(String upstreamHostPort, int listenPort, InvocationListener listener) throws IOException {
    InetSocketAddress upstream = HttpIo.address(upstreamHostPort); // fails now on a bad value, not at the first call
    ServerSocket server = new ServerSocket();
    try {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), listenPort), 16);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    RuntimeApiProxy proxy = new RuntimeApiProxy(server, upstream, upstreamHostPort, listener);
    Thread t = new Thread(proxy, "ddsls-proxy-accept");
    t.setDaemon(true);
    proxy.acceptThread = t;
    t.start();
    return proxy;
  }

  public int port() { return server.getLocalPort(); }

  /** Counts a SnapStart restore (one {@code /restore/next} answered). */
  synchronized void restored() { restores++; }

  int restores() { return restores; }

  /** The accept loop (runs on the proxy's own thread; not for callers). */
  @Override public void run() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        if (!closed) AgentLog.once("proxy:accept", "Runtime API proxy stopped accepting: " + AgentLog.describe(e));
        return;
      }
      if (closed) { // accepted in the moment close() ran: close() has already swept the connections
        ProxyConnection.closeQuietly(s);
        return;
      }
      try {
        connections.add(s);
        Thread t = new Thread(new ProxyConnection(s, upstreamAddress, upstreamHostPort, listener, connections, this), "ddsls-proxy-" + (++connectionCount));
        t.setDaemon(true);
        t.start();
      } catch (Throwable t) {
        AgentLog.once("proxy:thread", "Runtime API proxy cannot start a connection thread: " + AgentLog.describe(t));
        connections.remove(s);
        ProxyConnection.closeQuietly(s);
      }
    }
  }

  /** Stops listening and closes open connections (a runtime still connected sees its connection close). */
  @Override public void close() {
    closed = true;
    ProxyConnection.closeQuietly(server);
    // A thread blocked in accept keeps the listening socket alive in the kernel until it wakes: wait for it, so
    // that the port refuses connections once close() returns and no late connection escapes the sweep below.
    Thread t = acceptThread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Socket s : connections) ProxyConnection.closeQuietly(s);
  }
}
