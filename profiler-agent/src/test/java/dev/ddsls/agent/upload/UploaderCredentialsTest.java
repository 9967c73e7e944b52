package dev.ddsls.agent.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddsls.agent.AgentLog;
import dev.ddsls.agent.TestConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The token of a {@code ddsls collect --token}: sent as {@code Authorization: Bearer} from {@code DDSLS_COLLECTOR_TOKEN}
 * or the user info of {@code DD_TRACE_AGENT_URL} (taken out of the URL, which still reaches its host), never logged.
 */
class UploaderCredentialsTest {
  private static final String SECRET = "s3cret-token-4711";

  private static long in(long millis) { return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis); }

  @Test
  void theTokenVariableIsSentAsBearer() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url(), "DDSLS_COLLECTOR_TOKEN", SECRET));
      u.submitSpans(List.of(TraceEncoderTest.span(1, 0, 2, 0, "aws.lambda")));
      u.flush(in(5000));
      LoopbackServer.Request r = server.take();
      assertEquals("/v0.4/traces", r.path);
      assertEquals("Bearer " + SECRET, r.header("Authorization"));
    }
  }

  @Test
  void userInfoInTheAgentUrlIsTheTokenAndNeverLogged() throws Exception {
    try (LoopbackServer server = new LoopbackServer(); StderrCapture err = new StderrCapture()) {
      String url = server.url().replace("http://", "http://ddsls:" + SECRET + "@");
      server.status = 401; // a collector that wants another token: the failure is logged, the secret is not
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", url));
      u.submitSpans(List.of(TraceEncoderTest.span(1, 0, 2, 0, "aws.lambda")));
      u.flush(in(5000));
      LoopbackServer.Request r = server.take();
      assertEquals("Bearer " + SECRET, r.header("Authorization"));
      assertTrue(err.text().contains("spans upload to " + server.url() + "/v0.4/traces failed: HTTP 401"), err.text());
      assertFalse(err.text().contains(SECRET), err.text());
    }
  }

  @Test
  void withoutATokenNoAuthorizationIsSent() throws Exception {
    try (LoopbackServer server = new LoopbackServer()) {
      Uploader u = new Uploader(TestConfig.of("DD_TRACE_AGENT_URL", server.url()));
      u.submitSpans(List.of(TraceEncoderTest.span(1, 0, 2, 0, "aws.lambda")));
      u.flush(in(5000));
      assertNull(server.take().header("Authorization"));
    }
  }

  @Test
  void everyLogLineHasItsUrlsCredentialsRedacted() {
    assertEquals("upload to http://***@collector:8126/v0.4/traces failed", AgentLog.redact("upload to http://u:" + SECRET
        + "@collector:8126/v0.4/traces failed"));
    assertEquals("DD_TRACE_AGENT_URL='ftp://***@h' is not", AgentLog.redact("DD_TRACE_AGENT_URL='ftp://x:y@h' is not"));
    assertEquals("mail me@example.com at http://h/a@b", AgentLog.redact("mail me@example.com at http://h/a@b"));
    assertEquals("a https://***@h and http://***@g", AgentLog.redact("a https://p@h and http://q:r@g"));
  }
}
