package dev.ddsls.analysis.jfr;

import dev.ddsls.analysis.coldstart.InitBreakdown;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.analysis.pprof.ProfileSample;
import dev.ddsls.analysis.pprof.ValueType;
import dev.ddsls.formats.jfr.JfrParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A JFR recording as {@link Profile}s, read with {@link JfrParser}: cpu samples ({@code jdk.ExecutionSample},
 * {@code datadog.ExecutionSample}) become a cpu profile, wall samples ({@code profiler.WallClockSample},
 * {@code datadog.MethodSample}) a wall profile. A sample is worth its event type's sampling period as the recording
 * states it ({@link SamplePeriods}), times the number of samples the event stands for ({@code weight},
 * {@code samples}); a recording that states no period gets {@link #DEFAULT_PERIOD}, and a note says so.
 *
 * <p>dd-trace-java's span ids become the labels the ddsls agent's pprof carries ({@code span id},
 * {@code local root span id}, and {@code trace endpoint} from {@code datadog.Endpoint}), so that span-id lookups
 * treat both alike. A plain JFR has no phase labels: every sample is labelled {@code phase=init} (decision: a JFR
 * file given to diagnose is taken to be a cold-start recording; see docs/diagnose.md). A traced recording (any sample
 * with a span, as dd-trace-java's of a running service) is not a cold start: its samples with a span are labelled
 * {@code phase=invocation}, the others carry no phase, so that a service's requests are never counted as cold starts.
 */
public final class JfrProfiles {
  /** For recordings that state no period (older async-profiler, hand-made recordings): the JDK's default. */
  public static final Duration DEFAULT_PERIOD = Duration.ofMillis(10);
  /** The file is held in memory; each sample costs some 50 bytes once read (docs/reliability.md). */
  public static final long MAX_BYTES = 1L << 30;
  public static final int MAX_SAMPLES = 20_000_000;
  public static final String SPAN_ID = "span id", LOCAL_ROOT_SPAN_ID = "local root span id", TRACE_ENDPOINT = "trace endpoint";

  private JfrProfiles() {}

  /**
   * The profiles of one recording, and what was left out of them or weighted by default: a count per event type and
   * reason ({@code "datadog.ObjectSample events not read: a kind of sample ddsls does not analyse"}).
   */
  public record Recording(List<Profile> profiles, Map<String, Integer> leftOut) {
    /** One line per reason, with its count. */
    public List<String> notes() {
      List<String> out = new ArrayList<>();
      leftOut.forEach((what, n) -> out.add(n + " " + what));
      return out;
    }
  }

  /** The cpu and wall profiles in the recording (either may be absent). */
  public static List<Profile> read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) throw new IOException(file + ": " + (size >> 20) + " MiB, over the " + (MAX_BYTES >> 20) + " MiB a JFR recording may have");
    try {
      return read(Files.readAllBytes(file)).profiles();
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Reads an uncompressed recording held in memory. */
  public static Recording read(byte[] recording) throws IOException {
    // A thread's labels, made once per thread of the recording: its JfrThread is made anew in every chunk (and in every
    // constant pool that lists it), and making them per JfrThread was a fifth of reading an async-profiler recording.
    Map<ThreadKey, Labels> labels = new HashMap<>();
    Builder cpu = new Builder("cpu", labels), wall = new Builder("wall", labels);
    Map<Long, String> endpoints = new HashMap<>();
    Map<String, Integer> leftOut = new TreeMap<>();
    // Samples weighted by default, counted by event type: the note is built once, not once per sample (async-profiler's
    // wall samples state no period, and building the note per sample was a third of reading them).
    Map<String, int[]> defaultWeighted = new HashMap<>();
    Map<Skip, Integer> skipped = new HashMap<>();
    try {
      JfrParser.parse(recording, new JfrParser.Sink() {
        @Override public void sample(JfrParser.SampleEvent e) {
          if (cpu.samples.size() + wall.samples.size() >= MAX_SAMPLES) throw new IllegalStateException("more than " + MAX_SAMPLES + " samples");
          long period = e.periodNanos;
          if (period <= 0) {
            period = DEFAULT_PERIOD.toNanos();
            defaultWeighted.computeIfAbsent(e.eventType, t -> new int[1])[0]++;
          }
          (e.wall ? wall : cpu).add(e.epochNanos, e.stack, e.thread, e.spanId, e.localRootSpanId, e.weight, period);
        }

        @Override public void endpoint(long rootId, String endpoint) { endpoints.put(rootId, endpoint); }

        @Override public boolean frameDetails() { return false; } // the analysis reads frame names only

        @Override public void skipped(String type, String reason, int count) { skipped.merge(new Skip(type, reason), count, Integer::sum); }
      });
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IOException("not a readable JFR recording (ends inside a structure; truncated?)", e);
    } catch (RuntimeException e) {
      throw new IOException("not a readable JFR recording (" + e.getMessage() + ")", e);
    }
    skipped.forEach((k, n) -> leftOut.merge(k.type + " events not read: " + k.reason, n, Integer::sum));
    defaultWeighted.forEach((type, n) -> leftOut.merge(type + " samples weighted " + DEFAULT_PERIOD.toMillis()
        + " ms each: the recording states no sampling period for them", n[0], Integer::sum));
    List<Profile> out = new ArrayList<>();
    boolean traced = cpu.traced || wall.traced;
    if (!cpu.samples.isEmpty()) out.add(cpu.build(endpoints, traced));
    if (!wall.samples.isEmpty()) out.add(wall.build(endpoints, traced));
    return new Recording(out, leftOut);
  }

  /** What a thread's labels are made of. */
  private record ThreadKey(String javaName, long javaThreadId, long osThreadId) {}

  /** Events of a type left out for a reason, counted: the note is built once per kind. */
  private record Skip(String type, String reason) {}

  /** A thread's labels, shared by all its samples that carry no span. */
  private static final class Labels {
    /** The string labels of a cold-start recording's samples, of a traced recording's request samples, and of its others. */
    final Map<String, String> init, request, unphased;
    final Map<String, Long> num;

    Labels(JfrParser.JfrThread t) {
      String name = t == null ? null : t.javaName;
      init = withThread(name, Map.of(InitBreakdown.PHASE, InitBreakdown.INIT));
      request = withThread(name, Map.of(InitBreakdown.PHASE, "invocation"));
      unphased = withThread(name, Map.of());
      num = t == null ? Map.of() : Map.of("thread id", t.javaThreadId > 0 ? t.javaThreadId : t.osThreadId);
    }

    private static Map<String, String> withThread(String name, Map<String, String> phase) {
      if (name == null) return phase;
      Map<String, String> m = new HashMap<>(phase);
      m.put("thread name", name);
      return Map.copyOf(m);
    }
  }

  private static final Labels NO_THREAD = new Labels(null);

  /** A sample as read; labels are made once the whole recording (and so every endpoint) is known. */
  private record Raw(JfrParser.Stack stack, Labels thread, long spanId, long rootId, long[] values) {}

  private static final class Builder {
    final String type;
    final List<Raw> samples = new ArrayList<>();
    long first = Long.MAX_VALUE, last = Long.MIN_VALUE, period;
    boolean traced;
    /** The last sample's values, shared by the samples after it that have the same: most have weight 1 and one period. */
    private long[] values = {0, 0};

    final Map<ThreadKey, Labels> byThread;

    Builder(String type, Map<ThreadKey, Labels> byThread) {
      this.type = type;
      this.byThread = byThread;
    }

    void add(long nanos, JfrParser.Stack stack, JfrParser.JfrThread thread, long spanId, long rootId, long weight, long periodNanos) {
      Labels labels = NO_THREAD;
      if (thread != null) {
        if (thread.labels == null) {
          thread.labels = byThread.computeIfAbsent(new ThreadKey(thread.javaName, thread.javaThreadId, thread.osThreadId), k -> new Labels(thread));
        }
        labels = (Labels) thread.labels;
      }
      if (nanos < first) first = nanos;
      if (nanos > last) last = nanos;
      if (period == 0) period = periodNanos;
      traced |= spanId != 0 || rootId != 0;
      long[] v = values;
      if (v[0] != weight || v[1] != weight * periodNanos) values = v = new long[] {weight, weight * periodNanos};
      samples.add(new Raw(stack, labels, spanId, rootId, v));
    }

    Profile build(Map<Long, String> endpoints, boolean traced) {
      List<ProfileSample> out = new ArrayList<>(samples.size());
      for (Raw r : samples) {
        boolean spanned = r.spanId != 0 || r.rootId != 0;
        Map<String, String> str = !traced ? r.thread.init : spanned ? r.thread.request : r.thread.unphased;
        Map<String, Long> num = r.thread.num;
        if (spanned) {
          num = new HashMap<>(num);
          if (r.spanId != 0) num.put(SPAN_ID, r.spanId);
          if (r.rootId != 0) num.put(LOCAL_ROOT_SPAN_ID, r.rootId);
          String endpoint = r.rootId == 0 ? null : endpoints.get(r.rootId);
          if (endpoint != null) {
            str = new HashMap<>(str);
            str.put(TRACE_ENDPOINT, endpoint);
          }
        }
        // The stack's lines and the values are shared by many samples and changed by none: not copied per sample.
        out.add(ProfileSample.sharing(r.stack.names, r.stack.lines, r.values, str, num));
      }
      return new Profile(List.of(new ValueType("samples", "count"), new ValueType(type, "nanoseconds")),
          new ValueType(type, "nanoseconds"), period, first, last - first,
          List.of("ddsls.engine=jfr", "ddsls.source=jfr"), out);
    }
  }
}
