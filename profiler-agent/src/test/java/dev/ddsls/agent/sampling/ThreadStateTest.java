package dev.ddsls.agent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ThreadStateTest {
  @Test
  void namesAsyncProfilersStatesAsTheLabelsTheAnalysisReads() {
    assertEquals("running", RecordingReader.normalState("STATE_RUNNABLE"));
    assertEquals("sleeping", RecordingReader.normalState("STATE_SLEEPING"));
    assertEquals("running", RecordingReader.normalState("RUNNABLE"));
    assertEquals("waiting", RecordingReader.normalState("STATE_WAITING"));
  }
}
