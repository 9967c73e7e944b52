package example.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application: auto-configuration and a component scan of this package, as {@code spring init} makes it. */
@SpringBootApplication
public class OrdersApplication {}
