package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Own code read from deployment packages laid out as Maven's shade plugin and Lambda's zip layout leave them. */
class OwnCodeTest {
  static final String HANDLER = "com.acme.orders.lambda.OrderHandler::handleRequest";
  static final byte[] CLASS = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE};

  @TempDir Path tmp;

  /** A shaded jar: the function's classes in two packages, and dependencies with and without Maven metadata. */
  static Map<String, byte[]> shadedEntries() {
    Map<String, byte[]> e = new TreeMap<>();
    e.put("com/acme/orders/lambda/OrderHandler.class", CLASS);
    e.put("com/acme/orders/pricing/Pricing.class", CLASS);
    e.put("com/acme/orders/pricing/Pricing$Rule.class", CLASS);
    e.put("META-INF/maven/com.acme.orders/orders-function/pom.properties", pom("com.acme.orders", "orders-function"));
    // A dependency outside every known root, found only through its pom.properties.
    e.put("net/minidev/json/JSONValue.class", CLASS);
    e.put("net/minidev/asm/Accessor.class", CLASS);
    e.put("META-INF/maven/net.minidev/json-smart/pom.properties", pom("net.minidev", "json-smart"));
    // org.apache.httpcomponents ships org.apache.http: the group's organisation covers it.
    e.put("org/apache/http/impl/client/HttpClients.class", CLASS);
    e.put("META-INF/maven/org.apache.httpcomponents/httpclient/pom.properties", pom("org.apache.httpcomponents", "httpclient"));
    // A known library without metadata (as Gradle's shadow plugin leaves them), a multi-release copy, module-info.
    e.put("software/amazon/awssdk/core/SdkClient.class", CLASS);
    e.put("org/reactivestreams/Publisher.class", CLASS); // a dependency built without Maven: no metadata at all
    e.put("META-INF/versions/11/net/minidev/json/JSONValue.class", CLASS);
    e.put("module-info.class", CLASS);
    e.put("TopLevel.class", CLASS);
    return e;
  }

  @Test
  void aShadedJarsOwnPackagesAreThoseNoDependencyBrought() throws IOException {
    OwnCode own = OwnCode.ofDeployment(zip("function.jar", shadedEntries()), HANDLER);
    assertEquals(Set.of("com.acme.orders.lambda", "com.acme.orders.pricing"), own.packages());
    assertEquals(FrameKind.OWN, FrameKind.of("com.acme.orders.pricing.Pricing$Rule.apply", own), "a sibling package of the handler's");
    assertEquals(FrameKind.OWN, FrameKind.of("com.acme.orders.lambda.OrderHandler.<clinit>", own));
    assertEquals(FrameKind.LIBRARY, FrameKind.of("net.minidev.json.JSONValue.parse", own));
    assertEquals(FrameKind.LIBRARY, FrameKind.of("org.apache.http.impl.client.HttpClients.createDefault", own));
    assertEquals(FrameKind.LIBRARY, FrameKind.of("org.reactivestreams.Publisher.subscribe", own), "outside the handler's organisation");
    assertEquals(FrameKind.NATIVE, FrameKind.of("pthread_mutex_lock@@GLIBC_2.2.5", own));
    assertEquals(FrameKind.JDK, FrameKind.of("java.util.HashMap.put", own));
    assertEquals(FrameKind.RUNTIME, FrameKind.of("com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main", own));
    assertTrue(own.describe().startsWith("function.jar: 2 own packages"), own.describe());
  }

  @Test
  void theZipLayoutsDependenciesAreItsLibJars() throws IOException {
    Map<String, byte[]> e = new TreeMap<>();
    e.put("com/acme/orders/lambda/OrderHandler.class", CLASS);
    e.put("io/acme/tools/Clock.class", CLASS); // the function's own code outside its organisation's root
    e.put("lib/json-smart-2.5.2.jar", CLASS);
    OwnCode own = OwnCode.ofDeployment(zip("function.zip", e), HANDLER);
    assertEquals(Set.of("com.acme.orders.lambda", "io.acme.tools"), own.packages());
    assertFalse(own.owns("net.minidev.json.JSONValue.parse"));
  }

  @Test
  void anUnpackedTaskRootReadsLikeItsJar() throws IOException {
    Path root = tmp.resolve("task");
    for (Map.Entry<String, byte[]> e : shadedEntries().entrySet()) {
      Path f = root.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue());
    }
    assertEquals(OwnCode.ofDeployment(zip("function.jar", shadedEntries()), HANDLER).packages(),
        OwnCode.ofDeployment(root, HANDLER).packages());
  }

  @Test
  void theHandlersPackageStaysOwnWhenItsGroupLooksLikeADependency() throws IOException {
    Map<String, byte[]> e = new TreeMap<>();
    e.put("org/apache/orders/Handler.class", CLASS); // a function under a known library root
    e.put("META-INF/maven/org.apache.orders/orders/pom.properties", pom("org.apache.orders", "orders"));
    OwnCode own = OwnCode.ofDeployment(zip("f.jar", e), "org.apache.orders.Handler::handleRequest");
    assertTrue(own.owns("org.apache.orders.Handler.handleRequest"));
    assertFalse(own.owns("org.apache.http.Foo.bar"));
  }

  @Test
  void withoutAPackageTheHandlersPackageStandsIn() {
    OwnCode own = OwnCode.ofHandler(HANDLER);
    assertTrue(own.owns("com.acme.orders.lambda.sub.X.y"));
    assertFalse(own.owns("com.acme.orders.pricing.Pricing.price"));
    assertFalse(OwnCode.ofHandler("Handler::handleRequest").known());
  }

  @Test
  void anUnreadablePackageIsAnErrorNamingIt() throws IOException {
    Path notZip = Files.writeString(tmp.resolve("function.jar"), "not a zip");
    IOException e = assertThrows(IOException.class, () -> OwnCode.ofDeployment(notZip, HANDLER));
    assertTrue(e.getMessage().startsWith(notZip.toString()), e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> OwnCode.ofDeployment(tmp.resolve("absent.jar"), HANDLER));
    assertTrue(missing.getMessage().contains("absent.jar"), missing.getMessage());
  }

  @Test
  void packageOfAFrame() {
    assertEquals("a.b", OwnCode.packageOf("a.b.C$D.m"));
    assertEquals("a.b", OwnCode.packageOf("a.b.C$$Lambda/0x0000000800c01234.apply"));
    assertEquals("", OwnCode.packageOf("Main.main"));
  }

  private Path zip(String name, Map<String, byte[]> entries) throws IOException {
    Path p = tmp.resolve(name);
    try (OutputStream out = Files.newOutputStream(p); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return p;
  }

  private static byte[] pom(String group, String artifact) {
    return ("#Created by Apache Maven\nversion=1.0\ngroupId=" + group + "\nartifactId=" + artifact + "\n").getBytes(StandardCharsets.ISO_8859_1);
  }
}
