package example;

/** Stands in for a blocking call to a secrets store during init. */
public final class Secrets {
  private Secrets() {}

  public static String fetch(int waitMillis) {
    try {
      Thread.sleep(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "s3cr3t-value";
  }
}
