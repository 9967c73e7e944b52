package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Registers an org.crac Resource whose afterRestore throws: under SnapStart the runtime interface client reports it
 * to {@code /runtime/restore/error} ({@code Runtime.AfterRestoreError}) and exits, and Lambda fails the invoke with
 * SnapStartException. Its beforeCheckpoint succeeds, so the snapshot's init completes.
 */
public class FailingRestoreHandler implements RequestHandler<Map<String, Object>, String> {
  static final String MESSAGE = "the connection pool cannot be re-opened after restore";
  // Held strongly: org.crac keeps only a weak reference to a registered Resource.
  private static final Resource FAILING = new RecordingResource("failing", List.of(), new IllegalStateException(MESSAGE));

  static {
    Core.getGlobalContext().register(FAILING);
  }

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    return "restored";
  }
}
