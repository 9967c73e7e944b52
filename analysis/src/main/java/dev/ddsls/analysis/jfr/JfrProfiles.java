package dev.ddsls.analysis.jfr;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JFR recording as {@link Profile}s, read with {@link JfrParser}: {@code jdk.ExecutionSample} (JFR's and
 * async-profiler's CPU samples) becomes a cpu profile, {@code profiler.WallClockSample} (async-profiler wall mode) a
 * wall profile. Each sample is worth the sampling interval ({@link #CPU_INTERVAL} / {@link #WALL_INTERVAL}; JFR does
 * not store it per event). A plain JFR has no phase labels: every sample is labelled {@code phase=init} (decision: a
 * JFR file given to diagnose is taken to be a cold-start recording; see docs/diagnose.md).
 */
public final class JfrProfiles {
  public static final Duration CPU_INTERVAL = Duration.ofMillis(10);
  public static final Duration WALL_INTERVAL = Duration.ofMillis(10);
  /** The file is held in memory; each sample costs some 50 bytes once read (docs/reliability.md). */
  public static final long MAX_BYTES = 1L << 30;
  public static final int MAX_SAMPLES = 20_000_000;

  private JfrProfiles() {}

  /** The cpu and wall profiles in the recording (either may be absent). */
  public static List<Profile> read(Path file) throws IOException {
    Builder cpu = new Builder("cpu", CPU_INTERVAL.toNanos());
    Builder wall = new Builder("wall", WALL_INTERVAL.toNanos());
    long size = Files.size(file);
    if (size > MAX_BYTES) throw new IOException(file + ": " + (size >> 20) + " MiB, over the " + (MAX_BYTES >> 20) + " MiB a JFR recording may have");
    try {
      JfrParser.parse(Files.readAllBytes(file), (isWall, nanos, stack, thread) -> {
        if (cpu.samples.size() + wall.samples.size() >= MAX_SAMPLES) {
          throw new IllegalStateException("more than " + MAX_SAMPLES + " samples");
        }
        (isWall ? wall : cpu).add(nanos, stack, thread);
      });
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IOException(file + ": not a readable JFR recording (ends inside a structure; truncated?)", e);
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a readable JFR recording (" + e.getMessage() + ")", e);
    }
    List<Profile> out = new ArrayList<>();
    if (!cpu.samples.isEmpty()) out.add(cpu.build());
    if (!wall.samples.isEmpty()) out.add(wall.build());
    return out;
  }

  /** A thread's labels, shared by all its samples. */
  private static final class Labels {
    final Map<String, String> str;
    final Map<String, Long> num;

    Labels(JfrParser.JfrThread t) {
      str = t == null || t.javaName == null ? Map.of(InitBreakdown.PHASE, InitBreakdown.INIT)
          : Map.of(InitBreakdown.PHASE, InitBreakdown.INIT, "thread name", t.javaName);
      num = t == null ? Map.of() : Map.of("thread id", t.javaThreadId > 0 ? t.javaThreadId : t.osThreadId);
    }
  }

  private static final Labels NO_THREAD = new Labels(null);

  private static final class Builder {
    final String type;
    final long[] values;
    final List<ProfileSample> samples = new ArrayList<>();
    long first = Long.MAX_VALUE, last = Long.MIN_VALUE;

    Builder(String type, long interval) {
      this.type = type;
      this.values = new long[] {1, interval};
    }

    void add(long nanos, JfrParser.Stack stack, JfrParser.JfrThread thread) {
      Labels labels = NO_THREAD;
      if (thread != null) {
        if (thread.labels == null) thread.labels = new Labels(thread);
        labels = (Labels) thread.labels;
      }
      if (nanos < first) first = nanos;
      if (nanos > last) last = nanos;
      samples.add(new ProfileSample(stack.names, stack.lines, values, labels.str, labels.num));
    }

    Profile build() {
      return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
          new ValueType(type, "nanoseconds"), values[1], first, last - first,
          List.of("ddsls.engine=jfr", "ddsls.source=jfr"), samples);
    }
  }
}
