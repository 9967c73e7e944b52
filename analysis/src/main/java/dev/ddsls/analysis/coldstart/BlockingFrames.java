package dev.ddsls.analysis.coldstart;

import dev.ddsls.analysis.pprof.FrameStats;
import java.util.List;

/**
 * What a blocked stack waits on, from its leaf: the innermost Java frame (and the VM frames of a contended monitor
 * enter above it) must be a recognised blocking frame, so CPU work that merely happens under java.net or a lock is
 * not taken for waiting. Kinds are the keys of {@link WallSplit#blockedByKind()}.
 */
final class BlockingFrames {
  static final String NETWORK = "network", FILE_IO = "file-io", SLEEP = "sleep", CLASS_LOADING_LOCK = "class-loading-lock",
      LOCK = "lock", THREAD_WAIT = "thread-wait", OTHER = "other";

  private static final List<String> NETWORK_FRAMES = List.of("java.net.Socket", "java.net.PlainSocketImpl",
      "java.net.AbstractPlainSocketImpl", "java.net.DatagramSocket", "java.net.ServerSocket", "java.net.SocketInputStream",
      "java.net.SocketOutputStream", "java.net.Inet", "java.net.InetAddress", "sun.nio.ch.Net.", "sun.nio.ch.NioSocketImpl",
      "sun.nio.ch.SocketDispatcher", "sun.nio.ch.SocketChannelImpl", "sun.nio.ch.DatagramDispatcher", "sun.nio.ch.EPoll",
      "sun.nio.ch.SocketInputStream");
  private static final List<String> FILE_FRAMES = List.of("java.io.FileInputStream.read", "java.io.FileInputStream.open",
      "java.io.FileOutputStream.write", "java.io.RandomAccessFile", "sun.nio.ch.FileChannelImpl", "sun.nio.ch.FileDispatcherImpl",
      "sun.nio.fs.UnixNativeDispatcher", "java.io.UnixFileSystem");
  private static final List<String> MONITOR_FRAMES = List.of("ObjectMonitor::", "ObjectSynchronizer::", "JVM_MonitorEnter",
      "InterpreterRuntime::monitorenter", "SharedRuntime::complete_monitor_locking");
  private static final List<String> WAIT_FRAMES = List.of("java.lang.Object.wait", "java.lang.Thread.join",
      "java.util.concurrent.FutureTask.get", "java.util.concurrent.FutureTask.awaitDone", "java.util.concurrent.CompletableFuture.",
      "java.util.concurrent.CountDownLatch.await", "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await",
      "java.util.concurrent.Semaphore.acquire", "java.util.concurrent.LinkedBlockingQueue.take",
      "java.util.concurrent.ArrayBlockingQueue.take", "java.util.concurrent.SynchronousQueue.", "java.util.concurrent.Exchanger.",
      "java.util.concurrent.CyclicBarrier.", "java.util.concurrent.Phaser.");
  private static final List<String> LOCK_FRAMES = List.of("java.util.concurrent.locks.ReentrantLock",
      "java.util.concurrent.locks.ReentrantReadWriteLock", "java.util.concurrent.locks.StampedLock");
  private static final List<String> PARK_FRAMES = List.of("jdk.internal.misc.Unsafe.park", "sun.misc.Unsafe.park",
      "java.util.concurrent.locks.LockSupport.park");
  private static final List<String> LOAD_CLASS = List.of("java.lang.ClassLoader.loadClass",
      "jdk.internal.loader.BuiltinClassLoader.loadClass", "jdk.internal.loader.ClassLoaders$AppClassLoader.loadClass");

  private BlockingFrames() {}

  /** The kind of wait of a stack (leaf first), or null when its leaf is not a recognised blocking frame. */
  static String kind(List<String> stack) {
    boolean monitor = false;
    int leaf = -1;
    for (int i = 0; i < stack.size(); i++) {
      String f = stack.get(i);
      if (FrameStats.packageOf(f).equals(FrameStats.NATIVE)) {
        if (startsWith(f, MONITOR_FRAMES)) monitor = true;
        continue;
      }
      leaf = i;
      break;
    }
    if (leaf < 0) return monitor ? LOCK : null;
    String f = stack.get(leaf);
    if (monitor) return underLoadClass(stack, leaf) ? CLASS_LOADING_LOCK : LOCK;
    if (f.startsWith("java.lang.Thread.sleep")) return SLEEP;
    if (startsWith(f, NETWORK_FRAMES) || f.contains("AddressImpl.lookupAllHostAddr")) return NETWORK;
    if (startsWith(f, FILE_FRAMES)) return FILE_IO;
    if (startsWith(f, PARK_FRAMES)) return parked(stack, leaf + 1);
    if (startsWith(f, WAIT_FRAMES)) return THREAD_WAIT;
    return null;
  }

  /**
   * The JDK frame a blocked stack is blocked in: the lock's own frame (e.g. {@code ReentrantLock.lock}) for a park
   * under a lock, so the finding can say which lock; otherwise the innermost Java frame.
   */
  static String blockedIn(List<String> stack) {
    String leaf = null, lock = null;
    for (String f : stack) {
      if (FrameStats.packageOf(f).equals(FrameStats.NATIVE)) continue;
      if (leaf == null) {
        leaf = f;
        if (!startsWith(f, PARK_FRAMES)) return f;
        continue;
      }
      if (startsWith(f, LOCK_FRAMES)) lock = f; // the outermost one: ReentrantLock.lock rather than its Sync
      else if (lock != null || !f.startsWith("java.util.concurrent.locks.")) break;
    }
    return lock != null ? lock : leaf;
  }

  /** Unsafe.park: a lock when an acquire of a lock is what parked (not a latch or condition), else waiting for a thread. */
  private static String parked(List<String> stack, int from) {
    boolean acquire = false;
    for (int i = from; i < stack.size(); i++) {
      String f = stack.get(i);
      if (startsWith(f, PARK_FRAMES)) continue;
      if (startsWith(f, WAIT_FRAMES)) return THREAD_WAIT;
      if (startsWith(f, LOCK_FRAMES)) return underLoadClass(stack, i) ? CLASS_LOADING_LOCK : LOCK;
      if (f.startsWith("java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire")) {
        if (!f.contains("Shared")) acquire = true;
        continue;
      }
      if (f.startsWith("java.util.concurrent.locks.")) continue;
      break;
    }
    return acquire ? LOCK : THREAD_WAIT;
  }

  private static boolean underLoadClass(List<String> stack, int from) {
    for (int i = from; i < stack.size(); i++) {
      if (startsWith(stack.get(i), LOAD_CLASS)) return true;
    }
    return false;
  }

  private static boolean startsWith(String f, List<String> prefixes) {
    for (String p : prefixes) {
      if (f.startsWith(p)) return true;
    }
    return false;
  }
}
