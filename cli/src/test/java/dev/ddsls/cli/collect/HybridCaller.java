package dev.ddsls.cli.collect;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host side of {@link HybridTraceTest}: run under dd-java-agent, whose {@code dd.trace.methods} makes a span of
 * {@link #call}; the API Gateway event it writes carries that span's context in Datadog's headers, as the tracer's
 * HTTP client instrumentation would send it to the function. The tracer's API is read through its
 * {@code CorrelationIdentifier} (on the boot class path under the agent), so this class compiles without it.
 */
public final class HybridCaller {
  /** {@code EVENT_FILE COLLECTOR_PORT SERVICE}: writes the event, then waits until the collector has this side's span. */
  public static void main(String[] args) throws Exception {
    call(Path.of(args[0]));
    awaitStored(Integer.parseInt(args[1]), "/ddsls/v1/spans?all=true&service=" + args[2]);
  }

  /**
   * Runs on until the span is stored, up to two minutes, so that the tracer's writer sends it on its own schedule: an
   * application that exits at once leaves it to the tracer's exit flush, which gives up after a second. Asked on a
   * plain socket: the tracer would make a span of a request through an HTTP client.
   */
  private static void awaitStored(int port, String pathAndQuery) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (answer.startsWith("HTTP/1.1 200") && answer.contains("\"span_id\"")) return;
      } catch (IOException e) {
        // the collector is slow to answer: ask again
      }
      Thread.sleep(200);
    }
  }

  public static void call(Path event) throws Exception {
    Class<?> ids = Class.forName("datadog.trace.api.CorrelationIdentifier");
    String traceId = (String) ids.getMethod("getTraceId").invoke(null);
    String spanId = (String) ids.getMethod("getSpanId").invoke(null);
    if (traceId == null || traceId.equals("0") || spanId == null || spanId.equals("0")) throw new IllegalStateException("no active span");
    Files.writeString(event, "{\"resource\":\"/orders/{id}\",\"path\":\"/orders/42\",\"httpMethod\":\"GET\","
        + "\"headers\":{\"Host\":\"api.example.com\",\"x-datadog-trace-id\":\"" + traceId + "\",\"x-datadog-parent-id\":\"" + spanId
        + "\",\"x-datadog-sampling-priority\":\"1\"},\"requestContext\":{\"resourcePath\":\"/orders/{id}\",\"httpMethod\":\"GET\","
        + "\"path\":\"/prod/orders/42\",\"stage\":\"prod\",\"requestId\":\"req-1\",\"apiId\":\"api\",\"accountId\":\"123456789012\"}}",
        StandardCharsets.UTF_8);
  }
}
