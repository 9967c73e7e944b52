package example.invoice;

import java.util.List;

/** The event: whose invoice, and which items (defaults when absent). */
public record InvoiceRequest(String customerId, List<String> skus) {}
