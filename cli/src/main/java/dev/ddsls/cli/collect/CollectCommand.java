package dev.ddsls.cli.collect;

import dev.ddsls.cli.CacheDir;
import dev.ddsls.cli.Cli;
import dev.ddsls.cli.DurationConverter;
import dev.ddsls.cli.SizeConverter;
import dev.ddsls.cli.Verbose;
import dev.ddsls.collector.Collector;
import dev.ddsls.collector.Limits;
import dev.ddsls.collector.Retention;
import dev.ddsls.collector.SqliteLibrary;
import dev.ddsls.collector.Store;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddsls collect}: a local intake that speaks the Datadog Agent's trace and profile endpoints. */
@Command(name = "collect", mixinStandardHelpOptions = true,
    description = {"Runs a local, Datadog-Agent-compatible intake for traces and profiles, with a durable store and a read API.",
        "The first line printed is 'listening on http://HOST:PORT' (with --port 0, the port chosen)."})
public final class CollectCommand implements Callable<Integer> {
  /** The default --max-body, which {@code ddsls demo}'s collector keeps too. */
  public static final String DEFAULT_MAX_BODY = "50MiB";

  @Mixin Verbose verbose;
  @Option(names = "--port", defaultValue = "8126", description = "TCP port (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on. Not loopback: --token is required. Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(names = "--data", defaultValue = "${sys:user.home}/.ddsls/collect", description = "Store directory. Default: ${DEFAULT-VALUE}.")
  Path data;

  @Option(names = "--token", defaultValue = "${env:DDSLS_COLLECT_TOKEN}", arity = "1",
      description = "Secret every request must carry (header DD-Api-Key or Authorization: Bearer). Default: $DDSLS_COLLECT_TOKEN.")
  String token;

  @Option(names = "--retention", defaultValue = "7d", converter = DurationConverter.class,
      description = "Drop records older than this (e.g. 7d, 12h). Default: ${DEFAULT-VALUE}.")
  Duration retention;

  @Option(names = "--max-size", defaultValue = "2GiB", converter = SizeConverter.class,
      description = "Drop the oldest records while the store uses more than this. Default: ${DEFAULT-VALUE}.")
  long maxSize;

  @Option(names = "--max-body", defaultValue = DEFAULT_MAX_BODY, converter = SizeConverter.class,
      description = "Largest request body accepted (larger: 413). Default: ${DEFAULT-VALUE}.")
  long maxBody;

  @Option(names = "--max-memory", converter = SizeConverter.class,
      description = "Bytes all requests may hold in memory at once (bodies, inflated profiles, decoded spans); past it: 503 with "
          + "Retry-After, and a request that alone needs more: 413. Default: half the JVM's maximum heap.")
  Long maxMemory;

  /** Hidden: tests shorten the minute between counters lines and retention runs. */
  @Option(names = "--interval", defaultValue = "60s", hidden = true, converter = DurationConverter.class,
      description = "Time between the counters line and retention runs.")
  Duration interval;

  @Option(names = "--compact", description = "Apply retention, reclaim free space and exit (the collector must not be running).")
  boolean compact;

  @Option(names = "--check", description = "Verify the store (structure and every record's checksum) and exit: 0 sound, 1 damaged.")
  boolean check;

  @Override public Integer call() throws Exception {
    PrintStream out = System.out;
    Path dir = data.toAbsolutePath().normalize();
    long intervalMillis = interval.toMillis();
    if (intervalMillis <= 0) throw Cli.Failure.usage("--interval must be positive");
    Retention limits = new Retention(retention.toMillis(), maxSize);
    if (compact && check) throw Cli.Failure.usage("--compact and --check are separate runs");
    if (check) return check(dir, out);
    if (compact) return compact(dir, limits, out);

    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw Cli.Failure.usage("--bind: unknown address " + bind);
    }
    if (!address.isLoopbackAddress() && (token == null || token.isEmpty())) {
      throw Cli.Failure.usage("--bind " + bind + " is not a loopback address: --token (or DDSLS_COLLECT_TOKEN) is required");
    }
    if (port < 0 || port > 65535) throw Cli.Failure.usage("--port must be 0..65535");
    FileLock lock = lock(dir);
    Store store = openStore(dir);
    if (maxMemory != null && maxMemory < maxBody) throw Cli.Failure.usage("--max-memory must be at least --max-body");
    Limits serverLimits = maxMemory == null ? Limits.defaults(maxBody) : Limits.defaults(maxBody, maxMemory);
    Collector collector;
    try {
      limits.enforce(store);
      collector = new Collector(store, new InetSocketAddress(address, port), token == null || token.isEmpty() ? null : token, serverLimits,
          limits, intervalMillis, out);
      collector.start();
    } catch (IOException e) {
      store.close();
      throw new Cli.Failure(Cli.FAILED, "cannot listen on " + bind + ":" + port + ": " + e.getMessage());
    }
    String host = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    out.println("ddsls collect listening on http://" + host + ":" + collector.port());
    out.println("ddsls collect storing in " + dir + " (sqlite " + store.file().getFileName() + ", " + store.count("spans")
        + " spans, " + store.count("profiles") + " profiles" + (token != null && !token.isEmpty() ? ", token required" : "") + ")");
    out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        collector.close();
        lock.release();
        out.println(collector.countersLine());
        out.println("ddsls collect stopped");
        out.flush();
      } catch (Throwable e) {
        System.err.println("ddsls collect: shutdown: " + e);
      } finally {
        stopped.countDown();
      }
    }, "ddsls-collect-shutdown"));
    stopped.await();
    return Cli.OK;
  }

  private static int check(Path dir, PrintStream out) throws Exception {
    if (!Store.exists(dir)) throw new Cli.Failure(Cli.UNAVAILABLE, "no collector store in " + dir);
    try (Store store = openStore(dir)) {
      List<String> problems = store.check();
      for (String p : problems) out.println("ddsls collect: " + p);
      String counts = store.count("spans") + " spans, " + store.count("profiles") + " profiles, " + store.count("attachments") + " attachments";
      if (!problems.isEmpty()) {
        out.println("ddsls collect: store " + dir + " is damaged (" + problems.size() + " problems; " + counts + ")");
        return Cli.FAILED;
      }
      out.println("ddsls collect: store " + dir + " ok (" + counts + ")");
      return Cli.OK;
    }
  }

  private static int compact(Path dir, Retention limits, PrintStream out) throws Exception {
    if (!Store.exists(dir)) throw new Cli.Failure(Cli.UNAVAILABLE, "no collector store in " + dir);
    FileLock lock = lock(dir);
    try (Store store = openStore(dir)) {
      long before = Files.size(store.file());
      long removed = limits.enforce(store);
      store.compact();
      long after = Files.size(store.file());
      out.println("ddsls collect: compacted " + dir + ": " + before + " -> " + after + " bytes"
          + (removed > 0 ? " (retention removed old records)" : ""));
    } finally {
      lock.release();
      lock.channel().close();
    }
    return Cli.OK;
  }

  /**
   * The store in {@code dir}, sqlite-jdbc pointed first at its library in ddsls's cache: that must come before the
   * first connection, or sqlite-jdbc copies the library into the temporary directory ({@link SqliteLibrary}).
   */
  public static Store openStore(Path dir) throws Exception {
    SqliteLibrary.useCache(CacheDir.of(System.getenv()));
    return Store.open(dir);
  }

  /** One collector (or compaction) per store directory at a time; the OS drops the lock if the process dies. */
  private static FileLock lock(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel ch = FileChannel.open(dir.resolve("collect.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new Cli.Failure(Cli.FAILED, "another ddsls collect is using " + dir);
    }
    return lock;
  }
}
