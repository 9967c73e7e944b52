package example.invoice;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A common shape that looks cheap at init: the ObjectMapper and the logger are built on first use, so the first
 * request pays for them (Jackson's modules and serialisers, Log4j2's configuration and appender), not init.
 */
public class InvoiceHandler implements RequestStreamHandler {
  private static ObjectMapper mapper;
  private static Logger log;

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    InvoiceRequest request = mapper().readValue(input, InvoiceRequest.class);
    Invoice invoice = Invoice.sample(request);
    byte[] json = mapper().writeValueAsBytes(invoice);
    logger().info("invoice {} for {}: {} lines, {} bytes", invoice.id(), invoice.customer().name(), invoice.lines().size(), json.length);
    output.write(json);
  }

  static ObjectMapper mapper() {
    if (mapper == null) {
      mapper = JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();
    }
    return mapper;
  }

  static Logger logger() {
    if (log == null) log = LogManager.getLogger(InvoiceHandler.class);
    return log;
  }
}
