package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.agent.trace.Span;
import dev.ddsls.agent.trace.TestSpans;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.Value;

class TraceEncoderTest {
  static Span span(long traceId, long high, long spanId, long parentId, String name) {
    return TestSpans.span(traceId, high, spanId, parentId, name, "res-" + name, "svc", "serverless", 1_755_000_000_123_456_789L,
        42_000_000L, 0);
  }

  /** A decoded span map, keys as strings. */
  static Map<String, Value> fields(Value v) {
    Map<String, Value> out = new LinkedHashMap<>();
    for (Map.Entry<Value, Value> e : v.asMapValue().map().entrySet()) out.put(e.getKey().asStringValue().asString(), e.getValue());
    return out;
  }

  @Test
  void encodesTracesAsArraysOfSpanMapsWithUnsignedIds() throws Exception {
    Span root = TestSpans.span(-2L, 0x68126c4300000000L, Long.MIN_VALUE, 0, "aws.lambda", "res-aws.lambda", "svc", "serverless",
        1_755_000_000_123_456_789L, 42_000_000L, 1);
    root.meta().put("cold_start", "true");
    root.meta().put("quote", "a\"b\n");
    root.metrics().put("_sampling_priority_v1", 1.0);
    root.metrics().put("_dd.measured", 0.5);
    Span child = span(-2L, 0x68126c4300000000L, 7, Long.MIN_VALUE, "child");
    Span other = span(99, 0, 100, 0, "other");
    List<List<Span>> traces = new ArrayList<>();
    traces.add(List.of(root, child));
    traces.add(List.of(other));

    ArrayValue decoded = MessagePack.newDefaultUnpacker(TraceEncoder.v04(traces)).unpackValue().asArrayValue();
    assertEquals(2, decoded.size());
    ArrayValue first = decoded.get(0).asArrayValue();
    assertEquals(2, first.size());

    Map<String, Value> r = fields(first.get(0));
    assertEquals(List.of("service", "name", "resource", "trace_id", "span_id", "parent_id", "start", "duration", "type", "error",
        "meta", "metrics"), new ArrayList<>(r.keySet()));
    assertEquals("svc", r.get("service").asStringValue().asString());
    assertEquals("aws.lambda", r.get("name").asStringValue().asString());
    assertEquals("res-aws.lambda", r.get("resource").asStringValue().asString());
    assertEquals(new BigInteger("18446744073709551614"), r.get("trace_id").asIntegerValue().asBigInteger());
    assertEquals(new BigInteger("9223372036854775808"), r.get("span_id").asIntegerValue().asBigInteger());
    assertEquals(0, r.get("parent_id").asIntegerValue().asLong());
    assertEquals(1_755_000_000_123_456_789L, r.get("start").asIntegerValue().asLong());
    assertEquals(42_000_000L, r.get("duration").asIntegerValue().asLong());
    assertEquals("serverless", r.get("type").asStringValue().asString());
    assertEquals(1, r.get("error").asIntegerValue().asInt());
    Map<String, Value> meta = fields(r.get("meta"));
    assertEquals("true", meta.get("cold_start").asStringValue().asString());
    assertEquals("a\"b\n", meta.get("quote").asStringValue().asString());
    assertEquals("68126c4300000000", meta.get("_dd.p.tid").asStringValue().asString());
    Map<String, Value> metrics = fields(r.get("metrics"));
    assertTrue(metrics.get("_dd.measured").isFloatValue());
    assertEquals(0.5, metrics.get("_dd.measured").asFloatValue().toDouble());
    assertEquals(1.0, metrics.get("_sampling_priority_v1").asFloatValue().toDouble());

    Map<String, Value> c = fields(first.get(1));
    assertFalse(fields(c.get("meta")).containsKey("_dd.p.tid"), "_dd.p.tid only on the first span");
    assertEquals(new BigInteger("9223372036854775808"), c.get("parent_id").asIntegerValue().asBigInteger());

    Map<String, Value> o = fields(decoded.get(1).asArrayValue().get(0));
    assertTrue(fields(o.get("meta")).isEmpty(), "64-bit trace: no _dd.p.tid");
    assertTrue(fields(o.get("metrics")).isEmpty());
  }

  @Test
  void smallTidIsZeroPaddedAndNullStringsBecomeEmpty() throws Exception {
    Span s = TestSpans.span(1, 0xABCL, 0, 0, null, null, null, null, 0, 0, 0);
    List<List<Span>> traces = new ArrayList<>();
    traces.add(List.of(s));
    Map<String, Value> f = fields(MessagePack.newDefaultUnpacker(TraceEncoder.v04(traces)).unpackValue().asArrayValue()
        .get(0).asArrayValue().get(0));
    assertEquals("0000000000000abc", fields(f.get("meta")).get("_dd.p.tid").asStringValue().asString());
    assertEquals("", f.get("service").asStringValue().asString());
    assertEquals("", f.get("type").asStringValue().asString());
  }
}
