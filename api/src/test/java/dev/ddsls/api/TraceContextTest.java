package dev.ddsls.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.api.internal.ActiveSpan;
import dev.ddsls.api.internal.Current;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceContextTest {
  @Test void withoutTheAgentEverythingIsANoOp() {
    TraceContext c = TraceContext.current();
    assertFalse(c.isActive());
    assertTrue(c.headers().isEmpty());
    assertEquals("{}", c.datadogJson());
    assertEquals("0", c.traceId());
    c.putInMdc(); // no logging library here: nothing happens, nothing throws
  }

  @Test void aFailingProviderNeverReachesTheCaller() {
    ActiveSpan broken = new Fixed(1, 0, 2, 1) {
      @Override public long traceIdLow() { throw new IllegalStateException("agent bug"); }
    };
    Current.set(broken);
    try {
      assertFalse(TraceContext.current().isActive());
    } finally {
      Current.clear(broken);
    }
  }

  @Test void headersAndCarrierOfTheActiveSpan() {
    Fixed span = new Fixed(0xa3ce929d0e0e4736L, 0x66bcb5eb00000000L, 0x00f067aa0ba902b7L, 2);
    Current.set(span);
    try {
      TraceContext c = TraceContext.current();
      assertTrue(c.isActive());
      Map<String, String> h = c.headers();
      assertEquals(Long.toUnsignedString(0xa3ce929d0e0e4736L), h.get("x-datadog-trace-id"));
      assertEquals(Long.toString(0x00f067aa0ba902b7L), h.get("x-datadog-parent-id"));
      assertEquals("2", h.get("x-datadog-sampling-priority"));
      assertEquals("_dd.p.tid=66bcb5eb00000000,_dd.p.dm=-0", h.get("x-datadog-tags"));
      assertEquals("00-66bcb5eb00000000a3ce929d0e0e4736-00f067aa0ba902b7-01", h.get("traceparent"));
      assertEquals("dd=s:2;p:00f067aa0ba902b7;t.dm:-0", h.get("tracestate"));
      assertEquals("{\"x-datadog-trace-id\":\"" + Long.toUnsignedString(0xa3ce929d0e0e4736L) + "\",\"x-datadog-parent-id\":\""
          + 0x00f067aa0ba902b7L + "\",\"x-datadog-sampling-priority\":\"2\",\"x-datadog-tags\":\"_dd.p.tid=66bcb5eb00000000,_dd.p.dm=-0\","
          + "\"traceparent\":\"00-66bcb5eb00000000a3ce929d0e0e4736-00f067aa0ba902b7-01\",\"tracestate\":\"dd=s:2;p:00f067aa0ba902b7;t.dm:-0\"}",
          c.datadogJson());
      assertEquals("66bcb5eb00000000a3ce929d0e0e4736", c.traceIdHex());
    } finally {
      Current.clear(span);
    }
    assertFalse(TraceContext.current().isActive());
  }

  private static class Fixed implements ActiveSpan {
    final long low, high, span;
    final int prio;

    Fixed(long low, long high, long span, int prio) {
      this.low = low;
      this.high = high;
      this.span = span;
      this.prio = prio;
    }

    @Override public long traceIdLow() { return low; }
    @Override public long traceIdHigh() { return high; }
    @Override public long spanId() { return span; }
    @Override public int samplingPriority() { return prio; }
    @Override public String origin() { return null; }
    @Override public String propagationTags() { return "_dd.p.dm=-0"; }
    @Override public String service() { return "svc"; }
    @Override public String env() { return null; }
    @Override public String version() { return null; }
    @Override public boolean logsInjection() { return false; }
  }
}
