package dev.ddsls.agent.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What invoked the function, as Datadog's {@code function_trigger.*} and {@code http.*} tags describe it. */
public final class Trigger {
  /** One managed-service hop before the function (API Gateway, queue, topic, bus, stream): an inferred span. */
  public static final class Hop {
    public String name;
    public String resource;
    public String service;
    /** Epoch nanoseconds; 0 when the event has no time. */
    public long startNanos;
    public boolean sync;
    public final Map<String, String> meta = new LinkedHashMap<>();
  }

  public String eventSource;
  public String eventSourceArn;
  public int batchSize;
  public String httpMethod;
  public String httpRoute;
  public String httpUrl;
  /** Upstream first: for SNS delivered through SQS the SNS hop, then the SQS hop. */
  public final List<Hop> hops = new ArrayList<>(2);
}
