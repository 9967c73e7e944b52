import dev.ddsls.formats.pprof.ProfileBuilder;
import dev.ddsls.formats.pprof.ProfileBuilder.Label;
import dev.ddsls.formats.pprof.Frame;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Data for the diagnose benchmark (docs/benchmarks.md, "## diagnose"). Single-file program, run with the agent jar on
 * the class path (its ProfileBuilder writes the pprof, as the agent does):
 *
 *   java -cp cli/target/layer/ddsls/ddsls-agent.jar bench/DiagnoseBenchData.java generate DIR [SPANS] [PROFILES]
 *   java -cp cli/target/layer/ddsls/ddsls-agent.jar bench/DiagnoseBenchData.java load DIR http://127.0.0.1:PORT
 *
 * generate: SPANS (default 1,000,000) spans as JSON lines in DIR/spans-NNN.jsonl, half aws.lambda invocation spans and
 * half the inferred API Gateway / SQS spans before them, ~2% cold starts, over 20 functions; PROFILES (default 2,000)
 * cpu profiles DIR/profiles/profile-NNNNN-cpu.pb.gz, each the init plus first invocation of one cold start, labelled
 * like the agent's (phase, span id, local root span id, thread name). Seeded: the same data every time.
 * load: posts DIR into a ddsls collect (JSON /v0.4/traces in batches, /profiling/v1/input per profile).
 */
public final class DiagnoseBenchData {
  static final long T0 = 1_763_978_400_000_000_000L; // 2025-11-24T10:00:00Z
  static final int FUNCTIONS = 20;

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("generate")) {
      generate(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000, args.length > 3 ? Integer.parseInt(args[3]) : 2_000);
    } else if (args.length == 3 && args[0].equals("load")) {
      load(Path.of(args[1]), args[2]);
    } else {
      System.err.println("usage: generate DIR [SPANS] [PROFILES] | load DIR URL");
      System.exit(2);
    }
  }

  static void generate(Path dir, int spans, int profiles) throws Exception {
    Files.createDirectories(dir.resolve("profiles"));
    Random rnd = new Random(42);
    int invocations = spans / 2;
    int written = 0, colds = 0;
    BufferedWriter out = null;
    int file = 0;
    for (int i = 0; i < invocations; i++) {
      if (i % 100_000 == 0) {
        if (out != null) out.close();
        out = Files.newBufferedWriter(dir.resolve(String.format("spans-%03d.jsonl", file++)), StandardCharsets.UTF_8);
      }
      int fn = i % FUNCTIONS;
      String function = "orders-" + fn + "-prod";
      String service = "orders-" + (fn % 5);
      boolean sqs = fn % 2 == 1;
      long trace = 0x1000_0000_0000_0000L + i * 7919L;
      long inferred = 0x2000_0000_0000_0000L + i * 31L;
      long lambda = 0x3000_0000_0000_0000L + i * 17L;
      long start = T0 + i * 20_000_000L; // 50 invocations a second
      boolean cold = (i / FUNCTIONS) % 50 == 3; // 2% of each function's invocations
      long initMs = cold ? 1800 + rnd.nextInt(900) : 0;
      long durNs = (cold ? 900 + rnd.nextInt(400) : 30 + rnd.nextInt(40)) * 1_000_000L;
      String inferredName = sqs ? "aws.sqs" : "aws.apigateway.rest";
      String inferredService = sqs ? "orders-queue" : "abc123.execute-api.eu-west-1.amazonaws.com";
      out.write("{\"trace_id\":" + Long.toUnsignedString(trace) + ",\"span_id\":" + Long.toUnsignedString(inferred)
          + ",\"parent_id\":0,\"name\":\"" + inferredName + "\",\"resource\":\"" + (sqs ? "orders-queue" : "POST /orders")
          + "\",\"service\":\"" + inferredService + "\",\"type\":\"" + (sqs ? "web" : "http") + "\",\"start\":" + (start - 4_000_000L)
          + ",\"duration\":" + (durNs + 6_000_000L) + ",\"error\":0,\"meta\":{\"_inferred_span.tag_source\":\"self\","
          + "\"_inferred_span.synchronicity\":\"" + (sqs ? "async" : "sync") + "\",\"env\":\"prod\",\"operation_name\":\"" + inferredName
          + "\"" + (sqs ? ",\"queuename\":\"orders-queue\",\"event_source\":\"sqs\"" : ",\"http.method\":\"POST\",\"http.url\":\"https://abc123.execute-api.eu-west-1.amazonaws.com/orders\",\"apiid\":\"abc123\",\"stage\":\"prod\"")
          + "},\"metrics\":{\"_dd._inferred_span\":1,\"_sampling_priority_v1\":1}}\n");
      out.write("{\"trace_id\":" + Long.toUnsignedString(trace) + ",\"span_id\":" + Long.toUnsignedString(lambda)
          + ",\"parent_id\":" + Long.toUnsignedString(inferred) + ",\"name\":\"aws.lambda\",\"resource\":\"" + function
          + "\",\"service\":\"" + service + "\",\"type\":\"serverless\",\"start\":" + start + ",\"duration\":" + durNs
          + ",\"error\":0,\"meta\":{\"functionname\":\"" + function + "\",\"cold_start\":\"" + cold + "\",\"function_arn\":"
          + "\"arn:aws:lambda:eu-west-1:123456789012:function:" + function + "\",\"function_version\":\"$LATEST\",\"memorysize\":\""
          + (fn % 3 == 0 ? 512 : 1024) + "\",\"region\":\"eu-west-1\",\"account_id\":\"123456789012\",\"request_id\":\""
          + String.format("%08x-7b61-11e6-9a41-%012x", i, (long) i * 2654435761L & 0xffffffffffffL) + "\",\"runtime\":\"java17\","
          + "\"language\":\"jvm\",\"env\":\"prod\",\"function_trigger.event_source\":\"" + (sqs ? "sqs" : "api-gateway") + "\","
          + "\"_dd.origin\":\"lambda\"" + (cold ? ",\"init_type\":\"on-demand\"" : "") + "},\"metrics\":{\"_sampling_priority_v1\":1,"
          + "\"_top_level\":1" + (cold ? ",\"ddsls.init.duration_ms\":" + initMs + ",\"ddsls.init.jvm_ms\":" + (initMs / 10)
          + ",\"ddsls.init.agent_ms\":" + (initMs / 20) + ",\"ddsls.init.runtime_init_ms\":" + (initMs - initMs / 10 - initMs / 20) : "")
          + "}}\n");
      written += 2;
      if (cold && colds < profiles) profile(dir.resolve("profiles"), colds, function, lambda, start, initMs, rnd);
      if (cold) colds++;
    }
    if (out != null) out.close();
    System.out.println("wrote " + written + " spans (" + colds + " cold starts) and " + Math.min(profiles, colds) + " profiles to " + dir);
  }

  static final Frame[] MAIN = {new Frame("com.amazonaws.services.lambda.runtime.api.client.AWSLambda", "main", 210)};
  static final Frame CLINIT = new Frame("example.OrdersHandler", "<clinit>", 24);
  static final Frame BUILD = new Frame("example.Rules", "build", 42);
  static final Frame HASH = new Frame("java.util.HashMap", "putVal", 631);
  static final Frame LOAD = new Frame("java.lang.ClassLoader", "loadClass", 589);
  static final Frame DEFINE = new Frame("java.lang.ClassLoader", "defineClass1", 0);
  static final Frame JACKSON = new Frame("com.fasterxml.jackson.databind.ObjectMapper", "<init>", 712);
  static final Frame SDK = new Frame("software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder", "build", 163);
  static final Frame HANDLE = new Frame("example.OrdersHandler", "handleRequest", 57);
  static final Frame C2 = new Frame("", "C2Compiler::compile_method", 0);

  /** One cold start's cpu profile: init samples (a planted hot frame, class loading, SDK, Jackson), then the first invocation. */
  static void profile(Path dir, int n, String function, long spanId, long start, long initMs, Random rnd) throws Exception {
    ProfileBuilder b = new ProfileBuilder(new String[][] {{"samples", "count"}, {"cpu", "nanoseconds"}}, "cpu", "nanoseconds", 10_000_000L);
    b.setTimeNanos(start - initMs * 1_000_000L);
    b.setDurationNanos(initMs * 1_000_000L + 1_000_000_000L);
    b.addComment("ddsls.engine=async-profiler 4.2");
    Label root = Label.num("local root span id", spanId), span = Label.num("span id", spanId);
    Label init = Label.str("phase", "init"), inv = Label.str("phase", "invocation"), main = Label.str("thread name", "main");
    long[] one = {1, 10_000_000L};
    int samples = (int) (initMs / 10);
    for (int s = 0; s < samples; s++) {
      int kind = rnd.nextInt(100);
      Frame[] stack;
      if (kind < 45) stack = new Frame[] {HASH, BUILD, CLINIT, MAIN[0]};
      else if (kind < 70) stack = new Frame[] {DEFINE, LOAD, CLINIT, MAIN[0]};
      else if (kind < 85) stack = new Frame[] {new Frame("software.amazon.awssdk.core.internal", "m" + rnd.nextInt(40), rnd.nextInt(300)), SDK, CLINIT, MAIN[0]};
      else if (kind < 95) stack = new Frame[] {new Frame("com.fasterxml.jackson.databind.cfg", "m" + rnd.nextInt(20), rnd.nextInt(200)), JACKSON, CLINIT, MAIN[0]};
      else {
        b.addSample(new Frame[] {C2}, one, init, Label.str("thread name", "C2 CompilerThread0"), root, span);
        continue;
      }
      b.addSample(stack, one, init, main, root, span);
    }
    for (int s = 0; s < 60; s++) b.addSample(new Frame[] {HASH, HANDLE, MAIN[0]}, one, inv, main, root, span);
    Files.write(dir.resolve(String.format("profile-%05d-cpu.pb.gz", n)), b.encodeGzipped());
  }

  static void load(Path dir, String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<Path> files = new ArrayList<>();
    try (var s = Files.newDirectoryStream(dir, "spans-*.jsonl")) {
      for (Path p : s) files.add(p);
    }
    files.sort(null);
    int spans = 0;
    for (Path f : files) {
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        StringBuilder batch = new StringBuilder("[");
        int n = 0;
        for (String a; (a = in.readLine()) != null; ) {
          String b = in.readLine(); // the inferred span and its invocation: one trace
          batch.append(n == 0 ? "" : ",").append('[').append(a).append(',').append(b).append(']');
          n++;
          if (n == 2_500) {
            post(http, url + "/v0.4/traces", batch.append(']').toString());
            spans += 2 * n;
            batch.setLength(1);
            n = 0;
          }
        }
        if (n > 0) {
          post(http, url + "/v0.4/traces", batch.append(']').toString());
          spans += 2 * n;
        }
      }
    }
    List<Path> profiles = new ArrayList<>();
    try (var s = Files.newDirectoryStream(dir.resolve("profiles"), "*.pb.gz")) {
      for (Path p : s) profiles.add(p);
    }
    profiles.sort(null);
    for (Path p : profiles) upload(http, url + "/profiling/v1/input", Files.readAllBytes(p));
    System.out.println("loaded " + spans + " spans and " + profiles.size() + " profiles into " + url);
  }

  static void post(HttpClient http, String url, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
  }

  /** The Java tracer's upload: an event part and the pprof it lists. */
  static void upload(HttpClient http, String url, byte[] pprof) throws Exception {
    String boundary = "ddslsbench" + System.nanoTime();
    String event = "{\"attachments\":[\"cpu.pprof\"],\"tags_profiler\":\"service:orders,env:prod\",\"family\":\"java\","
        + "\"version\":\"4\",\"start\":\"2025-11-24T10:00:00Z\",\"end\":\"2025-11-24T10:00:03Z\"}";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"event\"; filename=\"event.json\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + event + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; "
        + "name=\"cpu.pprof\"; filename=\"cpu.pprof\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(pprof);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
  }
}
