package example.spring;

import java.util.List;
import org.springframework.stereotype.Repository;

/** Orders held in memory: the function makes no network call, in init or in a request. */
@Repository
public class OrderRepository {
  OrdersController.Order find(String id) {
    return new OrdersController.Order(id, "customer-" + id,
        List.of(new OrdersController.Line("sku-1", 2, 1999), new OrdersController.Line("sku-2", 1, 4500)));
  }
}
