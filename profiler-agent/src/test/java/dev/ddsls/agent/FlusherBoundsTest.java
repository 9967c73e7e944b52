package dev.ddsls.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ddsls.agent.lambda.InvocationEvent;
import dev.ddsls.agent.trace.Invocation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the flusher keeps between profiles is bounded, however many invocations a sandbox serves. */
class FlusherBoundsTest {
  @Test
  void invocationsKeptToAttributeSamplesAreTheNewestTenThousand() {
    Timeline timeline = new Timeline(System.nanoTime(), System.currentTimeMillis() * 1_000_000L);
    Flusher flusher = new Flusher(TestConfig.of("AWS_LAMBDA_FUNCTION_NAME", "f"), timeline, new InvocationTracker(timeline));
    int total = Flusher.MAX_UNATTRIBUTED + 2_500;
    for (int done = 0; done < total; done += 500) {
      List<Invocation> ended = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        ended.add(new Invocation(new InvocationEvent("r-" + (done + i), 0, "arn:aws:lambda:us-east-1:1:function:f", null, null, Map.of(),
            "{}".getBytes(StandardCharsets.UTF_8), System.nanoTime()), false, null));
      }
      flusher.keepForAttribution(ended);
    }
    assertArrayEquals(new long[] {Flusher.MAX_UNATTRIBUTED, total}, flusher.attributionCounts(),
        "kept for attribution: the bound; ended since the last profile: all of them (the profile's count)");
  }
}
