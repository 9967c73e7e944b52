package dev.ddsls.agent.lambda;

import java.util.Map;

/**
 * What the Runtime API's {@code /invocation/next} answered: one invocation's headers and event payload.
 *
 * @param deadlineMs {@code Lambda-Runtime-Deadline-Ms}, epoch ms; 0 when absent
 * @param xrayTraceHeader {@code Lambda-Runtime-Trace-Id}: the X-Ray header, or null
 * @param clientContext {@code Lambda-Runtime-Client-Context}, or null
 * @param headers all response headers, names lower-cased
 * @param payload the event JSON exactly as the runtime receives it; the proxy may share this array with what it
 *     forwards: read only
 * @param receivedNanos {@link System#nanoTime()} when the event arrived from the Runtime API
 */
public record InvocationEvent(String requestId, long deadlineMs, String functionArn, String xrayTraceHeader,
                              String clientContext, Map<String, String> headers, byte[] payload, long receivedNanos) {}
