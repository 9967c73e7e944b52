import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Load generator for `ddsls collect` (run by bench/collector-ingest, in its own JVM): sustained span and profile
 * ingest over keep-alive HTTP/1.1 connections on loopback, then the latency of requests paced at half the sustained
 * rate. Latency is measured from each request's scheduled send time, so a stalled collector is not hidden by the
 * client waiting (no coordinated omission). Prints a Markdown table.
 *
 * Usage: java -cp MSGPACK_CORE_JAR bench/CollectorIngest.java PORT [spansPerRequest] [connections] [seconds]
 */
public final class CollectorIngest {
  static final String BOUNDARY = "ddsls-bench-boundary-9xK";
  static final Random RANDOM = new Random(42);

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int spansPerRequest = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 15;

    byte[][] traces = new byte[16][];
    for (int i = 0; i < traces.length; i++) traces[i] = tracePayload(spansPerRequest, i);
    byte[] pprof = pprofGz(100 * 1024);
    byte[][] profiles = new byte[16][];
    for (int i = 0; i < profiles.length; i++) profiles[i] = profilePayload(pprof, i);

    Request spans = new Request(port, "PUT", "/v0.4/traces", "application/msgpack", traces);
    Request prof = new Request(port, "POST", "/profiling/v1/input", "multipart/form-data; boundary=" + BOUNDARY, profiles);

    run(spans, connections, 3, 0); // warm-up: JIT on both sides, the store's first pages
    Result spanMax = run(spans, connections, seconds, 0);
    run(prof, connections, 2, 0);
    Result profMax = run(prof, connections, seconds, 0);
    Result spanHalf = run(spans, connections, seconds, spanMax.requestsPerSecond() / 2);
    Result profHalf = run(prof, connections, seconds, profMax.requestsPerSecond() / 2);

    System.out.printf("| load (%d connections, %d s each) | requests/s | records/s | MB/s | p50 ms | p99 ms | max ms | errors |%n", connections, seconds);
    System.out.println("|---|---|---|---|---|---|---|---|");
    row("spans, " + spansPerRequest + " per request (" + traces[0].length / 1024 + " KiB msgpack), as fast as possible", spanMax, spansPerRequest);
    row("spans, paced at half that rate", spanHalf, spansPerRequest);
    row("profiles, " + profiles[0].length / 1024 + " KiB multipart (" + pprof.length / 1024 + " KiB gzipped pprof), as fast as possible", profMax, 1);
    row("profiles, paced at half that rate", profHalf, 1);
  }

  static void row(String what, Result r, int perRequest) {
    System.out.printf("| %s | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %d |%n", what, r.requestsPerSecond(),
        r.requestsPerSecond() * perRequest, r.bytes / r.seconds / 1e6, r.percentile(0.50), r.percentile(0.99),
        r.percentile(1.0), r.errors);
  }

  /** Runs `connections` keep-alive clients for `seconds`; rate 0 means closed loop, else paced requests/s in total. */
  static Result run(Request req, int connections, int seconds, double rate) throws Exception {
    long startNs = System.nanoTime() + 50_000_000L;
    long endNs = startNs + seconds * 1_000_000_000L;
    AtomicLong next = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    long[] counts = new long[connections * 3];
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      final int id = c;
      long[] lat = new long[2_000_000];
      latencies.add(lat);
      Thread t = new Thread(() -> {
        int n = 0;
        long bytes = 0, errors = 0;
        try (Client client = new Client(req.port)) {
          while (System.nanoTime() < startNs) Thread.onSpinWait();
          while (true) {
            long scheduled;
            if (rate > 0) {
              scheduled = startNs + (long) (next.getAndIncrement() * 1e9 / rate);
              if (scheduled >= endNs) break;
              long wait = scheduled - System.nanoTime();
              if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } else {
              scheduled = System.nanoTime();
              if (scheduled >= endNs) break;
            }
            byte[] body = req.bodies[(id + n) % req.bodies.length];
            int status = client.send(req.method, req.path, req.contentType, body);
            if (status != 200) errors++;
            lat[n++] = System.nanoTime() - scheduled;
            bytes += body.length;
          }
        } catch (Exception e) {
          System.err.println("client " + id + ": " + e);
          errors++;
        }
        counts[id * 3] = n;
        counts[id * 3 + 1] = bytes;
        counts[id * 3 + 2] = errors;
      }, "load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    double elapsed = (Math.max(System.nanoTime(), endNs) - startNs) / 1e9;
    long total = 0, bytes = 0, errors = 0;
    for (int c = 0; c < connections; c++) {
      total += counts[c * 3];
      bytes += counts[c * 3 + 1];
      errors += counts[c * 3 + 2];
    }
    long[] all = new long[(int) total];
    int k = 0;
    for (int c = 0; c < connections; c++) {
      System.arraycopy(latencies.get(c), 0, all, k, (int) counts[c * 3]);
      k += (int) counts[c * 3];
    }
    Arrays.sort(all);
    return new Result(all, elapsed, bytes, errors);
  }

  static final class Result {
    final long[] sortedNanos;
    final double seconds;
    final long bytes;
    final long errors;

    Result(long[] sortedNanos, double seconds, long bytes, long errors) {
      this.sortedNanos = sortedNanos;
      this.seconds = seconds;
      this.bytes = bytes;
      this.errors = errors;
    }

    double requestsPerSecond() { return sortedNanos.length / seconds; }

    double percentile(double p) {
      if (sortedNanos.length == 0) return Double.NaN;
      int i = (int) Math.ceil(p * sortedNanos.length) - 1;
      return sortedNanos[Math.max(0, Math.min(i, sortedNanos.length - 1))] / 1e6;
    }
  }

  static final class Request {
    final int port;
    final String method, path, contentType;
    final byte[][] bodies;

    Request(int port, String method, String path, String contentType, byte[][] bodies) {
      this.port = port;
      this.method = method;
      this.path = path;
      this.contentType = contentType;
      this.bodies = bodies;
    }
  }

  /** A minimal keep-alive HTTP/1.1 client: cheap enough that the load process leaves the CPU to the collector. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    Client(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    int send(String method, String path, String contentType, byte[] body) throws IOException {
      String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
          + "\r\nContent-Length: " + body.length + "\r\nDatadog-Meta-Lang: java\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String status = line();
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      for (String h; !(h = line()).isEmpty(); ) {
        if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Long.parseLong(h.substring(15).trim());
      }
      if (length < 0) throw new IOException("no Content-Length in the answer to " + path);
      byte[] answer = in.readNBytes((int) length);
      if (code != 200) System.err.println(path + ": " + code + " " + new String(answer, StandardCharsets.UTF_8));
      return code;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) throw new IOException("connection closed");
        if (b != '\r') sb.append((char) b);
      }
      return sb.toString();
    }

    @Override public void close() throws IOException { socket.close(); }
  }

  /**
   * /v0.4/traces msgpack, shaped like dd-trace-java's Lambda spans: traces of 10 spans, a root span with the
   * function's tags (functionname, cold_start, request_id, env, version) and children with a few meta tags and metrics.
   */
  static byte[] tracePayload(int spans, int seed) throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    int perTrace = 10;
    int traces = (spans + perTrace - 1) / perTrace;
    p.packArrayHeader(traces);
    long now = System.currentTimeMillis() * 1_000_000L;
    int written = 0;
    for (int t = 0; t < traces; t++) {
      int n = Math.min(perTrace, spans - written);
      long traceId = RANDOM.nextLong() & Long.MAX_VALUE;
      long root = RANDOM.nextLong() & Long.MAX_VALUE;
      String requestId = new java.util.UUID(RANDOM.nextLong(), RANDOM.nextLong()).toString();
      p.packArrayHeader(n);
      for (int i = 0; i < n; i++) {
        boolean isRoot = i == 0;
        long spanId = isRoot ? root : RANDOM.nextLong() & Long.MAX_VALUE;
        p.packMapHeader(12);
        p.packString("service").packString("orders-" + (seed % 4));
        p.packString("name").packString(isRoot ? "aws.lambda" : i % 2 == 0 ? "http.request" : "dynamodb.query");
        p.packString("resource").packString(isRoot ? "orders-fn-" + (seed % 4) : i % 2 == 0 ? "GET /inventory/{id}" : "DynamoDB.Query");
        p.packString("trace_id").packLong(traceId);
        p.packString("span_id").packLong(spanId);
        p.packString("parent_id").packLong(isRoot ? 0 : root);
        p.packString("start").packLong(now + i * 1_000_000L);
        p.packString("duration").packLong(isRoot ? 120_000_000L : 5_000_000L + RANDOM.nextInt(1_000_000));
        p.packString("type").packString(isRoot ? "serverless" : "http");
        p.packString("error").packInt(0);
        if (isRoot) {
          p.packString("meta").packMapHeader(8);
          p.packString("functionname").packString("orders-fn-" + (seed % 4));
          p.packString("cold_start").packString(t == 0 ? "true" : "false");
          p.packString("request_id").packString(requestId);
          p.packString("env").packString("bench");
          p.packString("version").packString("1.4.2");
          p.packString("runtime-id").packString("0f3c8c1e-5b0e-4c7a-9d8e-1a2b3c4d5e6f");
          p.packString("function_arn").packString("arn:aws:lambda:eu-west-1:123456789012:function:orders-fn-" + (seed % 4));
          p.packString("language").packString("jvm");
          p.packString("metrics").packMapHeader(4);
          p.packString("_sampling_priority_v1").packDouble(1);
          p.packString("_dd.top_level").packDouble(1);
          p.packString("process_id").packDouble(1);
          p.packString("_dd.agent_psr").packDouble(1);
        } else {
          p.packString("meta").packMapHeader(4);
          p.packString("env").packString("bench");
          p.packString("component").packString(i % 2 == 0 ? "okhttp" : "java-aws-sdk");
          p.packString("http.url").packString("https://inventory.internal/items/" + RANDOM.nextInt(100000));
          p.packString("span.kind").packString("client");
          p.packString("metrics").packMapHeader(2);
          p.packString("http.status_code").packDouble(200);
          p.packString("_dd.measured").packDouble(1);
        }
        written++;
      }
    }
    return p.toByteArray();
  }

  /** A gzipped pprof Profile of about `size` compressed bytes: a string table of frame names, samples, locations. */
  static byte[] pprofGz(int size) throws IOException {
    ByteArrayOutputStream pb = new ByteArrayOutputStream();
    List<String> strings = new ArrayList<>(List.of("", "cpu-samples", "count", "cpu-time", "nanoseconds", "span id", "local root span id"));
    byte[] compressed;
    int frames = size / 64;
    while (true) {
      while (strings.size() < frames) {
        strings.add("com.example.orders.Handler" + Long.toHexString(RANDOM.nextLong()) + ".m" + Integer.toHexString(RANDOM.nextInt()));
      }
      pb.reset();
      for (String st : strings) field(pb, 6, st.getBytes(StandardCharsets.UTF_8)); // string_table
      field(pb, 1, new byte[] {0x08, 0x01, 0x10, 0x02}); // sample_type {cpu-samples, count}
      int functions = strings.size() - FIRST_FRAME;
      for (int f = 1; f <= functions; f++) {
        ByteArrayOutputStream fn = new ByteArrayOutputStream();
        fn.write(0x08); varint(fn, f); // id
        fn.write(0x10); varint(fn, FIRST_FRAME + f - 1); // name
        field(pb, 5, fn.toByteArray()); // function
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.write(0x08); varint(line, f); // function_id
        line.write(0x10); varint(line, 10 + f % 300); // line
        ByteArrayOutputStream loc = new ByteArrayOutputStream();
        loc.write(0x08); varint(loc, f); // id
        field(loc, 4, line.toByteArray());
        field(pb, 4, loc.toByteArray()); // location
      }
      for (int i = 0; i < 500; i++) {
        ByteArrayOutputStream sample = new ByteArrayOutputStream();
        for (int d = 0; d < 12; d++) { sample.write(0x08); varint(sample, 1 + RANDOM.nextInt(functions)); } // location_id
        sample.write(0x10); varint(sample, 1 + RANDOM.nextInt(10)); // value
        long root = 1000 + i / 10;
        field(sample, 3, label(5, 1000 + i)); // span id
        field(sample, 3, label(6, root)); // local root span id
        field(pb, 2, sample.toByteArray());
      }
      pb.write(0x48); varint(pb, System.currentTimeMillis() * 1_000_000L); // time_nanos
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) { out.write(pb.toByteArray()); }
      compressed = gz.toByteArray();
      if (compressed.length >= size) return compressed;
      frames += frames / 20;
    }
  }

  static final int FIRST_FRAME = 7;

  static byte[] label(int key, long num) {
    ByteArrayOutputStream l = new ByteArrayOutputStream();
    l.write(0x08); varint(l, key);
    l.write(0x18); varint(l, num);
    return l.toByteArray();
  }

  static void field(ByteArrayOutputStream out, int number, byte[] data) {
    out.write(number << 3 | 2);
    varint(out, data.length);
    out.writeBytes(data);
  }

  static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
  }

  static byte[] profilePayload(byte[] pprof, int seed) throws IOException {
    String event = "{\"attachments\":[\"cpu.pprof\"],\"start\":\"2026-11-24T10:00:00Z\",\"end\":\"2026-11-24T10:01:00Z\","
        + "\"family\":\"java\",\"version\":\"4\",\"tags_profiler\":\"service:orders-" + (seed % 4) + ",env:bench,language:jvm,"
        + "functionname:orders-fn-" + (seed % 4) + ",runtime-id:0f3c8c1e-5b0e-4c7a-9d8e-1a2b3c4d5e6f,profiler_version:1.0\"}";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"event\"; filename=\"event.json\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + event).getBytes(StandardCharsets.UTF_8));
    out.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"cpu.pprof\"; filename=\"cpu.pprof\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(pprof);
    out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
