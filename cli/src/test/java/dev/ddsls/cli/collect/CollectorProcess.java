package dev.ddsls.cli.collect;

import dev.ddsls.cli.CliProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code ddsls collect} running in its own JVM, as a user starts it; its output is captured. */
final class CollectorProcess implements AutoCloseable {
  /** A JVM that ran its shutdown hooks on SIGTERM exits with 128 + 15. */
  static final int SIGTERM_EXIT = 143;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Process process;
  final int port;
  private final StringBuffer output = new StringBuffer();
  private Thread reader;

  private CollectorProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static ProcessBuilder command(String... args) { return command(List.of(), args); }

  /** {@code ddsls ARGS} in a JVM with {@code jvmArgs} too, with the suite's cache directory. */
  static ProcessBuilder command(List<String> jvmArgs, String... args) {
    List<String> cmd = CliProcess.command(concat(List.of("-Xmx256m"), jvmArgs));
    cmd.addAll(List.of(args));
    return CliProcess.inSuite(cmd).redirectErrorStream(true);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Starts {@code ddsls collect --port 0 ARGS} and reads the port from its first line. */
  static CollectorProcess start(String... args) throws Exception {
    return start(command(concat(List.of("collect", "--port", "0"), List.of(args)).toArray(new String[0])));
  }

  /** Starts {@code pb}, a {@code ddsls collect --port 0} command, and reads the port from its first line. */
  static CollectorProcess start(ProcessBuilder pb) throws Exception {
    Process p = pb.start();
    BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    // stdout's first line is the listening line; stderr is merged in, where a library may log first (sqlite-jdbc
    // does when another JVM extracts its native library at the same moment).
    StringBuffer before = new StringBuffer();
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l; (l = in.readLine()) != null; ) {
          if (l.startsWith("ddsls collect listening on http://")) return l;
          before.append(l).append('\n');
        }
        return null;
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      // Generous: on a machine loaded by other builds a JVM can take many seconds to start.
      line = first.get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      line = null;
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IllegalStateException("collector did not start: " + before);
    }
    CollectorProcess c = new CollectorProcess(p, Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)));
    c.output.append(before).append(line).append('\n');
    Thread reader = new Thread(() -> {
      try {
        for (String l; (l = in.readLine()) != null; ) c.output.append(l).append('\n');
      } catch (IOException e) {
        // process gone
      }
    }, "collector-output");
    reader.setDaemon(true);
    reader.start();
    c.reader = reader;
    return c;
  }

  String output() { return output.toString(); }

  URI uri(String pathAndQuery) { return URI.create("http://127.0.0.1:" + port + pathAndQuery); }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> getBytes(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> send(String method, String path, String contentType, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (headers.length > 0) b.headers(headers);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit code. (Process.destroy would also close our end of its output: last lines lost.) */
  int stop() throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("collector did not stop on SIGTERM");
    }
    reader.join(5000); // the last lines, printed by the shutdown hook
    return process.exitValue();
  }

  /** Runs a one-shot {@code ddsls ARGS}; returns exit code and output. */
  static Result run(String... args) throws Exception {
    Process p = command(args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("ddsls " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  static final class Result {
    final int exit;
    final String output;

    Result(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }
  }

  @Override public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
