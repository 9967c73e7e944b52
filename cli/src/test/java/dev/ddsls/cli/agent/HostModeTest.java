package dev.ddsls.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ddsls.analysis.pprof.PprofReader;
import dev.ddsls.analysis.pprof.Profile;
import dev.ddsls.cli.CliProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outside Lambda (no Runtime API) the agent profiles continuously and uploads every upload period, then at exit. */
@Tag("e2e")
class HostModeTest {
  @TempDir Path tmp;

  @Test
  void uploadsPeriodicallyAndAtShutdown() throws Exception {
    List<String> contentTypes = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/profiling/v1/input", x -> {
      contentTypes.add(x.getRequestHeaders().getFirst("Content-Type"));
      x.getRequestBody().readAllBytes();
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    server.start();
    try {
      Path main = tmp.resolve("Busy.java");
      // Spins for 2.6 s of its own CPU time, not of wall time: beside other JVMs it takes longer, with as many samples.
      // Threads that end while a recording starts (one each second here) made async-profiler print a warning on the
      // program's stdout: a daemon starts and joins batches of them meanwhile.
      Files.writeString(main, "public class Busy { public static void main(String[] a) {"
          + " Thread churn = new Thread(() -> { try { while (true) { Thread[] brief = new Thread[10];"
          + " for (int i = 0; i < brief.length; i++) { brief[i] = new Thread(() -> {}); brief[i].start(); }"
          + " for (Thread t : brief) t.join(); Thread.sleep(2); } } catch (InterruptedException e) { } });"
          + " churn.setDaemon(true); churn.start();"
          + " var cpu = java.lang.management.ManagementFactory.getThreadMXBean(); long wallEnd = System.nanoTime() + 60_000_000_000L;"
          + " double x = 0; while (cpu.getCurrentThreadCpuTime() < 2_600_000_000L && System.nanoTime() < wallEnd) {"
          + " for (int i = 0; i < 10_000; i++) x += Math.sqrt(x + 1); } System.out.println(x > 0); } }");
      Path out = tmp.resolve("out");
      Path stderr = tmp.resolve("stderr.txt");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-javaagent:" + CliProcess.agentJar(), main.toString()).directory(tmp.toFile()).redirectError(stderr.toFile());
      pb.environment().put("DD_PROFILING_ENABLED", "true");
      pb.environment().put("DD_PROFILING_UPLOAD_PERIOD", "1");
      pb.environment().put("DDSLS_OUTPUT_DIR", out.toString());
      pb.environment().put("DD_TRACE_AGENT_URL", "http://127.0.0.1:" + server.getAddress().getPort());
      pb.environment().remove("AWS_LAMBDA_RUNTIME_API");
      Process p = pb.start();
      String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String output = stdout + Files.readString(stderr);
      assertEquals(0, p.exitValue(), output);
      assertEquals("true\n", stdout, "the program's stdout is its own\n" + output);
      assertTrue(Files.readAllLines(stderr).stream().noneMatch(l -> l.startsWith("[WARN]")), "async-profiler's warnings stay quiet\n" + output);

      assertTrue(contentTypes.size() >= 3, "a profile each second and one at exit, got " + contentTypes.size() + "\n" + output);
      assertTrue(contentTypes.stream().allMatch(c -> c.startsWith("multipart/form-data; boundary=")), contentTypes.toString());
      List<Path> cpu = AgentEndToEndTest.files(out, "profile-*-cpu.pb.gz");
      assertTrue(cpu.size() >= 3, cpu.toString());
      long busy = 0;
      for (Path f : cpu) {
        Profile prof = PprofReader.read(f);
        assertTrue(prof.samples().stream().allMatch(s -> s.strLabel("phase") == null && s.numLabels().get("span id") == null),
            "host mode has no phases and no invocations");
        busy += prof.samples().stream().filter(s -> s.stack().contains("Busy.main")).mapToLong(s -> s.value(0)).sum();
      }
      assertTrue(busy > 50, "Busy.main sampled across the profiles: " + busy);
    } finally {
      server.stop(0);
    }
  }
}
