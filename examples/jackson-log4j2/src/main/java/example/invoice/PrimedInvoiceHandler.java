package example.invoice;

/**
 * {@link InvoiceHandler} under SnapStart with class priming ({@link ClassPriming}): the same first request, with the
 * classes a priming list names loaded before the snapshot. bench/priming.sh measures what that saves.
 */
public class PrimedInvoiceHandler extends InvoiceHandler {
  static {
    ClassPriming.register();
  }
}
