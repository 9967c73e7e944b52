package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Init that waits on the network, as a config or secrets fetch does: {@code example.RemoteConfig.fetch} connects
 * to {@code CONFIG_ADDR} (host:port, a slow server in the tests) and reads its answer to the end.
 */
public class RemoteConfigHandler implements RequestHandler<Map<String, Object>, String> {
  private static final String CONFIG = RemoteConfig.fetch(System.getenv("CONFIG_ADDR"));

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    return "config has " + CONFIG.length() + " chars";
  }

  static final class RemoteConfig {
    private RemoteConfig() {}

    static String fetch(String address) {
      int colon = address.lastIndexOf(':');
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 5000);
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot fetch the config from " + address, e);
      }
    }
  }
}
