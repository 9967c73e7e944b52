package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.sampling.Sample;
import dev.ddsls.agent.trace.Invocation;
import dev.ddsls.agent.trace.InvocationSpans;
import dev.ddsls.agent.trace.Span;
import dev.ddsls.agent.trace.TraceSettings;
import dev.ddsls.formats.pprof.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A SnapStart restore as the agent's clock sees it, with a clock the test moves: the monotonic clock does not count
 * the hours a snapshot waits, the wall clock does. After the restore, spans and profiles must carry the wall clock's
 * time, not the snapshot's; samples are placed in the right phase whichever anchor their recording used.
 */
class SnapStartTimelineTest {
  static final long MS = 1_000_000L;
  static final long HOURS_2 = 2 * 3600 * 1000 * MS;
  /** 2026-12-07T00:00:00Z */
  static final long T0_EPOCH = 1_796_601_600_000L * MS;

  /** A wall clock and a monotonic clock that tests advance by hand. */
  static final class TestClock implements Timeline.Clock {
    long epoch = T0_EPOCH;
    long mono = 1_000 * MS;

    void advance(long nanos) {
      epoch += nanos;
      mono += nanos;
    }

    @Override public long epochNanos() { return epoch; }

    @Override public long nanoTime() { return mono; }
  }

  static Invocation invocation(TestClock clock, String id, boolean cold) {
    return new Invocation(new InvocationEvent(id, 0, "arn:aws:lambda:us-east-1:1:function:f", null, null, Map.of(),
        "{}".getBytes(StandardCharsets.UTF_8), clock.nanoTime()), cold, TraceSettings.defaults());
  }

  static Sample cpu(long recordingEpochOffset, long monoNanos, String thread) {
    return new Sample(Sample.Kind.CPU, monoNanos + recordingEpochOffset, 1, thread, new Frame[] {new Frame("example.Work", "run", 1)}, 10 * MS);
  }

  @Test
  void spansAndProfilesAfterARestoreCarryTheRestoredWallClock() throws Exception {
    TestClock clock = new TestClock();
    Timeline t = new Timeline(clock.nanoTime(), T0_EPOCH - 50 * MS, clock);
    long offsetAtStart = clock.epoch - clock.mono; // what a recording begun before the snapshot anchors its samples to
    long recordingStart = clock.nanoTime();
    clock.advance(300 * MS);
    long initSample = clock.nanoTime();
    clock.advance(200 * MS);
    t.premainEndNanos = clock.mono - 450 * MS;
    t.checkpoint(clock.nanoTime());
    long checkpointEpoch = clock.epoch;
    assertEquals(checkpointEpoch, t.checkpointEpochNanos());

    // The snapshot waits two hours: the wall clock moves, the monotonic clock stands still.
    clock.epoch += HOURS_2;
    clock.advance(5 * MS);
    long restoreEpoch = clock.epoch;
    t.restored(clock.nanoTime());
    assertTrue(t.isRestored());
    assertEquals(restoreEpoch, t.restoreStartEpochNanos(), "the restore is stamped by the restored wall clock");
    clock.advance(40 * MS);
    long restoreSample = clock.nanoTime();
    clock.advance(60 * MS);
    t.endRestore(clock.nanoTime());
    assertEquals(100.0, t.restoreMs(), 1e-9);

    Invocation first = invocation(clock, "r1", true);
    long invocationEpoch = clock.epoch;
    clock.advance(20 * MS);
    long firstSample = clock.nanoTime();
    clock.advance(30 * MS);
    first.end(clock.nanoTime(), false, null, null);
    clock.advance(10 * MS);
    Invocation second = invocation(clock, "r2", false);
    clock.advance(5 * MS);
    long secondSample = clock.nanoTime();
    clock.advance(5 * MS);
    second.end(clock.nanoTime(), false, null, null);

    // Times before the restore keep the first anchor; after it, the restored one.
    assertEquals(checkpointEpoch, t.toEpochNanos(t.checkpointNanos));
    assertEquals(invocationEpoch, t.toEpochNanos(first.startNanos()));

    AgentConfig config = TestConfig.of("AWS_LAMBDA_FUNCTION_NAME", "f", "AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
    List<Span> spans = InvocationSpans.build(first, config, t);
    Span lambda = spans.stream().filter(s -> s.name().equals("aws.lambda")).findFirst().orElseThrow();
    assertEquals(invocationEpoch, lambda.start(), "not the snapshot's time (2 h early)");
    assertEquals(50 * MS, lambda.duration());
    assertEquals("true", lambda.meta().get("cold_start"));
    assertEquals("snap-start", lambda.meta().get("init_type"));
    assertEquals(100.0, lambda.metrics().get("ddsls.restore.duration_ms"), 1e-9);
    assertNull(lambda.metrics().get("ddsls.init.duration_ms"), "init was the snapshot's, reported before it");
    Span restore = spans.stream().filter(s -> s.name().equals("aws.lambda.snapstart_restore")).findFirst().orElseThrow();
    assertEquals(restoreEpoch, restore.start());
    assertEquals(100 * MS, restore.duration());
    assertEquals(lambda.traceId(), restore.traceId());
    assertEquals(lambda.parentId(), restore.parentId(), "a sibling of the invocation's span, as Datadog's extension sends it");
    assertFalse(InvocationSpans.build(second, config, t).stream().anyMatch(s -> s.name().equals("aws.lambda.snapstart_restore")));

    // One recording spanned the snapshot (begun at the checkpoint): its samples carry the first anchor.
    ProfileAssembler assembler = new ProfileAssembler(t, true, "f", 10 * MS, false, true);
    List<Sample> samples = new ArrayList<>();
    samples.add(cpu(offsetAtStart, initSample, "main"));
    samples.add(cpu(offsetAtStart, t.checkpointNanos + MS, "ddsls-flush")); // before the snapshot, after init
    samples.add(cpu(offsetAtStart, restoreSample, "main"));
    samples.add(cpu(offsetAtStart, firstSample, "main"));
    samples.add(cpu(offsetAtStart, secondSample, "main"));
    ProfileAssembler.Profiles p = assembler.assemble(samples, List.of(first, second), first, 77, recordingStart,
        t.restoreStartEpochNanos(), t.toEpochNanos(clock.nanoTime()), new HashMap<>());
    PprofSamples read = PprofSamples.read(p.cpu.encode());
    assertEquals(restoreEpoch, read.timeNanos);
    List<String> phases = new ArrayList<>();
    for (PprofSamples.Labels l : read.samples) phases.add(l.str().get("phase"));
    assertEquals(List.of("init", "restore", "first_invocation_after_restore", "invocation"), phases);
    assertEquals(1, assembler.droppedCheckpointSamples, "the sample taken between /restore/next and the snapshot is not sent");
    assertEquals(first.spanId(), read.samples.get(1).num().get("span id"), "restore samples carry the first invocation's ids");
    assertEquals(first.spanId(), read.samples.get(2).num().get("span id"));
    assertEquals(second.spanId(), read.samples.get(3).num().get("span id"));

    // A recording begun after the restore is anchored by the restored clock.
    long restoredOffset = clock.epoch - clock.mono;
    long laterStart = clock.nanoTime();
    clock.advance(MS);
    ProfileAssembler.Profiles later = assembler.assemble(List.of(cpu(restoredOffset, clock.nanoTime(), "main")), List.of(), first, 77,
        laterStart, t.toEpochNanos(laterStart), t.toEpochNanos(clock.nanoTime()), new HashMap<>());
    assertEquals("idle", PprofSamples.read(later.cpu.encode()).samples.get(0).str().get("phase"));
  }

  @Test
  void initSamplesOfASnapshotCarryItsInitSpan() throws Exception {
    TestClock clock = new TestClock();
    Timeline t = new Timeline(clock.nanoTime(), 0, clock);
    long start = clock.nanoTime();
    clock.advance(100 * MS);
    long initSample = clock.nanoTime();
    clock.advance(100 * MS);
    t.premainEndNanos = start + 10 * MS;
    t.checkpoint(clock.nanoTime());
    Span init = InvocationSpans.snapshotInit(TestConfig.of("AWS_LAMBDA_FUNCTION_NAME", "f"), t);
    assertEquals("aws.lambda.snapstart_init", init.name());
    assertEquals(T0_EPOCH, init.start());
    assertEquals(200 * MS, init.duration());
    assertEquals(0, init.parentId());
    assertEquals(190.0, init.metrics().get("ddsls.init.runtime_init_ms"), 1e-9);
    ProfileAssembler assembler = new ProfileAssembler(t, true, "f", 10 * MS, false, true);
    ProfileAssembler.Profiles p = assembler.assemble(List.of(cpu(clock.epoch - clock.mono, initSample, "main")), List.of(), null,
        init.spanId(), start, T0_EPOCH, clock.epoch, new HashMap<>());
    PprofSamples.Labels l = PprofSamples.read(p.cpu.encode()).samples.get(0);
    assertEquals("init", l.str().get("phase"));
    assertEquals(init.spanId(), l.num().get("span id"));
    assertNull(l.str().get("request id"));
  }
}
