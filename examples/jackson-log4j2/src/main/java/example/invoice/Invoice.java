package example.invoice;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The response: a graph of records with java.time, Optional, BigDecimal, enums, sets and maps, as real payloads have. */
public record Invoice(String id, Status status, Instant issuedAt, LocalDate dueDate, Duration paymentTerms, Customer customer,
                      List<Line> lines, Map<String, BigDecimal> taxByRate, BigDecimal total, Currency currency) {
  public enum Status { DRAFT, ISSUED, PAID }

  public enum Tag { FRAGILE, EXPRESS, GIFT, REFURBISHED }

  public record Address(String street, String city, String postcode, String country) {}

  public record Customer(String id, String name, Address billing, Optional<Address> shipping, Optional<String> vatId) {}

  public record Line(String sku, String description, int quantity, BigDecimal unitPrice, BigDecimal taxRate, Set<Tag> tags) {}

  static Invoice sample(InvoiceRequest request) {
    String customerId = request.customerId() == null ? "c-1001" : request.customerId();
    List<String> skus = request.skus() == null || request.skus().isEmpty() ? List.of("sku-1", "sku-2", "sku-3", "sku-4") : request.skus();
    Address billing = new Address("1 Main Street", "Dublin", "D01", "IE");
    Customer customer = new Customer(customerId, "Customer " + customerId, billing, Optional.of(billing), Optional.empty());
    List<Line> lines = new ArrayList<>();
    Map<String, BigDecimal> tax = new LinkedHashMap<>();
    BigDecimal total = BigDecimal.ZERO;
    for (int i = 0; i < skus.size(); i++) {
      BigDecimal price = BigDecimal.valueOf(1999 + 250L * i, 2);
      BigDecimal rate = i % 2 == 0 ? new BigDecimal("0.23") : new BigDecimal("0.135");
      Line line = new Line(skus.get(i), "item " + skus.get(i), i + 1, price, rate, EnumSet.of(Tag.values()[i % Tag.values().length]));
      lines.add(line);
      BigDecimal net = price.multiply(BigDecimal.valueOf(line.quantity()));
      tax.merge(rate.toPlainString(), net.multiply(rate).setScale(2, RoundingMode.HALF_UP), BigDecimal::add);
      total = total.add(net);
    }
    for (BigDecimal t : tax.values()) total = total.add(t);
    Instant issued = Instant.parse("2026-01-15T10:00:00Z");
    return new Invoice("inv-" + customerId, Status.ISSUED, issued, LocalDate.ofInstant(issued, ZoneOffset.UTC).plusDays(30),
        Duration.ofDays(30), customer, lines, tax, total, Currency.getInstance("EUR"));
  }
}
