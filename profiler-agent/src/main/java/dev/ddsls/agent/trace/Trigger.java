package dev.ddsls.agent.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What invoked the function, as Datadog's {@code function_trigger.*} and {@code http.*} tags describe it. */
final class Trigger {
  /** One managed-service hop before the function (API Gateway, queue, topic, bus, stream): an inferred span. */
  static final class Hop {
    String name;
    String resource;
    String service;
    /** Epoch nanoseconds; 0 when the event has no time. */
    long startNanos;
    boolean sync;
    final Map<String, String> meta = new LinkedHashMap<>();
  }

  String eventSource;
  String eventSourceArn;
  int batchSize;
  String httpMethod;
  String httpRoute;
  String httpUrl;
  /** Upstream first: for SNS delivered through SQS the SNS hop, then the SQS hop. */
  final List<Hop> hops = new ArrayList<>(2);
}
