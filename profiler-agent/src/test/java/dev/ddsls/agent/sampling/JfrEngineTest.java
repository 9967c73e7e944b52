package dev.ddsls.agent.sampling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR fallback's recordings, when something other than the agent ends them (a restore, jcmd, the JVM's exit). */
class JfrEngineTest {
  @TempDir Path tmp;

  /** A SnapStart restore or a {@code jcmd JFR.stop} stops the agent's recording: its samples are still read. */
  @Test void aRecordingStoppedByOthersIsStillReadAndLeavesNoFile() throws Exception {
    JfrEngine engine = JfrEngine.start(tmp, 2_000_000L, 10_000_000L);
    burn(300);
    for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (r.getName().equals("ddsls") && r.getState() == RecordingState.RUNNING) r.stop();
    }
    assertFalse(engine.sampling());
    List<Sample> samples = engine.stop();
    assertTrue(samples.size() > 10, "samples of the stopped recording: " + samples.size());
    try (Stream<Path> left = Files.list(tmp)) {
      assertTrue(left.findAny().isEmpty(), "the recording's file is deleted once read");
    }
  }

  /** Closed under the agent while it runs, the recording is written as it stops: read, and then deleted. */
  @Test void aRecordingClosedByOthersIsStillReadAndLeavesNoFile() throws Exception {
    JfrEngine engine = JfrEngine.start(tmp, 2_000_000L, 10_000_000L);
    burn(300);
    for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (r.getName().equals("ddsls")) r.close();
    }
    List<Sample> samples = engine.stop();
    assertTrue(samples.size() > 10, "samples of the closed recording: " + samples.size());
    try (Stream<Path> left = Files.list(tmp)) {
      assertTrue(left.findAny().isEmpty(), "the recording's file is deleted once read");
    }
  }

  /** Spins for {@code millis} of this thread's CPU time, in plain arithmetic that JFR's sampler finds in Java code. */
  private static long burn(long millis) {
    long end = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() + millis * 1_000_000L;
    long x = 1;
    while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 100_000; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
    }
    return x;
  }
}
