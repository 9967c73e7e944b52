package example.spring;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** GET /orders/{id}: an order from the in-memory repository, as JSON. */
@RestController
public class OrdersController {
  private final OrderRepository orders;

  public OrdersController(OrderRepository orders) {
    this.orders = orders;
  }

  @GetMapping("/orders/{id}")
  public Order order(@PathVariable String id) {
    return orders.find(id);
  }

  public record Line(String sku, int quantity, long priceCents) {}

  public record Order(String id, String customer, List<Line> lines) {}
}
