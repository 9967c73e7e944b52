package dev.ddsls.cli.collect;

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
  public static void main(String[] args) throws Exception {
    call(Path.of(args[0]));
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
