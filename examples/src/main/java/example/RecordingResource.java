package example;

import java.util.List;
import org.crac.Context;
import org.crac.Resource;

/**
 * An org.crac Resource that records its calls ({@code beforeCheckpoint:NAME}, {@code afterRestore:NAME}) into a list,
 * and whose afterRestore throws the given exception when there is one (the list may then be immutable: nothing is
 * recorded). Environment variables make its hooks fail or overrun, for the error paths' tests.
 */
class RecordingResource implements Resource {
  private final String name;
  private final List<String> events;
  private final RuntimeException afterRestoreFailure;

  RecordingResource(String name, List<String> events) { this(name, events, null); }

  RecordingResource(String name, List<String> events, RuntimeException afterRestoreFailure) {
    this.name = name;
    this.events = events;
    this.afterRestoreFailure = afterRestoreFailure;
  }

  /** Throws when {@code BEFORE_CHECKPOINT_FAILS} names this Resource: a hook that fails the snapshot's init. */
  @Override
  public void beforeCheckpoint(Context<? extends Resource> context) {
    if (name.equals(System.getenv("BEFORE_CHECKPOINT_FAILS"))) {
      throw new IllegalStateException("cannot flush " + name + " before the snapshot");
    }
    if (afterRestoreFailure == null) events.add("beforeCheckpoint:" + name);
  }

  /** Sleeps {@code AFTER_RESTORE_SLEEP_MS} first when set: a hook that overruns Lambda's 10 s restore limit. */
  @Override
  public void afterRestore(Context<? extends Resource> context) throws InterruptedException {
    if (afterRestoreFailure != null) throw afterRestoreFailure;
    String sleep = System.getenv("AFTER_RESTORE_SLEEP_MS");
    if (sleep != null) Thread.sleep(Long.parseLong(sleep));
    events.add("afterRestore:" + name);
  }
}
