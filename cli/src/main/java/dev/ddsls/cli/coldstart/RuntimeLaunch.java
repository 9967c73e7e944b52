package dev.ddsls.cli.coldstart;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The command line and environment with which Lambda's managed Java runtime starts a function: Lambda's JVM flags,
 * the real runtime interface client as main class, the reserved environment variables, and with the agent the
 * layer's exec wrapper in front ({@code AWS_LAMBDA_EXEC_WRAPPER} semantics: the wrapper gets the java command line as
 * its arguments).
 */
final class RuntimeLaunch {
  static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  static final String WRAPPER = "ddsls_wrapper";
  static final String SNAP_START = "snap-start";
  /**
   * How org.crac's hooks reach the runtime client: org.crac 0.1.x looks up the CRaC implementation named by this
   * property first, and Lambda's java runtimes name the runtime client's own context with it, so a Resource registered
   * with org.crac.Core is run by the client's beforeCheckpoint/afterRestore (observed in Lambda's java17 and java21
   * command lines; both initialization types).
   */
  static final String CRAC_COMPAT = "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac";
  /**
   * Where the runtime client loads its JNI library from when set (2.3.2 on; aws-lambda-java-libs pull request 429:
   * "a JNI library can be extracted somewhere during build time"). Unset, every start copies the library to the fixed
   * path {@code /tmp/.libaws-lambda-jni.so}, and cold starts side by side on one machine crash on each other's copy
   * ({@link ColdstartRun#SHARED_JNI}); Lambda gives each sandbox its own /tmp, a local machine does not.
   */
  static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

  /** Variables the run sets itself: --env may not change them or the run would not reach the emulator. */
  static final Set<String> RESERVED_ENV = Set.of("AWS_LAMBDA_RUNTIME_API", "_HANDLER", "LAMBDA_TASK_ROOT", "DDSLS_OUTPUT_DIR",
      "AWS_LAMBDA_INITIALIZATION_TYPE");

  /**
   * What to start: the java executable, the handler jar and string, memory size, extra JVM arguments, extra
   * environment, the runtime interface client's jars, the unpacked layer (null: without the agent) and the runtime's
   * main class ({@link #RIC_MAIN}, or a custom runtime's on the function's class path).
   */
  record Spec(Path java, Path jar, String handler, int memoryMb, List<String> jvmArgs, Map<String, String> env,
              Path runtimeDir, Path layerDir, String mainClass, boolean snapStart, boolean packageOnClassPath) {
    Spec(Path java, Path jar, String handler, int memoryMb, List<String> jvmArgs, Map<String, String> env,
         Path runtimeDir, Path layerDir, String mainClass) {
      this(java, jar, handler, memoryMb, jvmArgs, env, runtimeDir, layerDir, mainClass, false, false);
    }

    boolean agent() { return layerDir != null; }

    /**
     * Whether the JVM is asked to write something as it exits (a class-data archive, a flight recording), which it
     * does only when it exits cleanly: such a run's environment gets SIGTERM at shutdown even without an extension,
     * where Lambda would end it without one, since the user asked for what it writes.
     */
    boolean writesAtExit() {
      List<String> options = new ArrayList<>(jvmArgs);
      for (String var : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) options.add(env.getOrDefault(var, ""));
      for (String o : options) {
        if (o.contains("-XX:ArchiveClassesAtExit") || o.contains("-XX:+AutoCreateSharedArchive") || o.contains("dumponexit=true")) return true;
      }
      return false;
    }

    /** AWS_LAMBDA_INITIALIZATION_TYPE: how Lambda initialises this environment. */
    String initializationType() { return snapStart ? SNAP_START : "on-demand"; }

    /** AWS_LAMBDA_FUNCTION_NAME unless --env sets it: the handler class's simple name in lower case. */
    String functionName() {
      String fromEnv = env.get("AWS_LAMBDA_FUNCTION_NAME");
      if (fromEnv != null && !fromEnv.isBlank()) return fromEnv;
      String cls = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
      return cls.substring(cls.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    }
  }

  private final Spec spec;
  private final List<String> prefix;
  /** The runtime client's JNI library, found once for all runs ({@link #jniLibrary}); null: none. */
  private final Path jni;

  RuntimeLaunch(Spec spec) { this(spec, List.of()); }

  /** With commands in front of the whole command line (e.g. a {@link CpuLimit}'s taskset). */
  RuntimeLaunch(Spec spec, List<String> prefix) {
    this.spec = spec;
    this.prefix = List.copyOf(prefix);
    this.jni = jniLibrary(spec.runtimeDir());
  }

  Spec spec() { return spec; }

  /**
   * A process builder for one run; output redirection is the caller's. {@code taskRoot} is the unpacked package (the
   * working directory, as /var/task is in Lambda: the runtime client builds its class loader from it), or with
   * {@link Spec#packageOnClassPath} an empty directory.
   */
  ProcessBuilder processBuilder(RuntimeApiEmulator emulator, Path taskRoot, Path runDir) {
    List<String> cmd = new ArrayList<>(prefix);
    if (spec.agent()) {
      // Through bash, so a layer unpacked without the executable bit still runs, as /opt does in Lambda.
      cmd.add("/bin/bash");
      cmd.add(spec.layerDir().resolve(WRAPPER).toString());
    }
    cmd.addAll(javaCommand(taskRoot));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.directory(taskRoot.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.putAll(environment(emulator, taskRoot, runDir));
    return pb;
  }

  /**
   * java, Lambda's flags (java17 managed runtime, as its command line shows them; the same under SnapStart: on java17
   * and java21 tiered compilation stops at level 1 either way), the user's JVM arguments, class path, the runtime's
   * main class, the handler.
   */
  List<String> javaCommand() { return javaCommand(null); }

  List<String> javaCommand(Path taskRoot) {
    List<String> cmd = new ArrayList<>();
    cmd.add(spec.java().toString());
    cmd.add("-XX:+TieredCompilation");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xshare:auto");
    cmd.add("-XX:MaxHeapSize=" + (spec.memoryMb() * 85 / 100) + "m");
    cmd.add("--add-opens=java.base/java.io=ALL-UNNAMED");
    cmd.add(CRAC_COMPAT);
    cmd.add("-Djava.net.preferIPv4Stack=true");
    if (jni != null) cmd.add("-D" + JNI_PROPERTY + "=" + jni.toAbsolutePath());
    cmd.addAll(spec.jvmArgs());
    cmd.add("-classpath");
    cmd.add(classPath(taskRoot));
    cmd.add(spec.mainClass());
    cmd.add(spec.handler());
    return cmd;
  }

  /**
   * The runtime's jars only, as in Lambda: the runtime client loads the function from the task root in a child loader
   * of its own. With {@link Spec#packageOnClassPath} (a diagnostic start, to measure the difference) the function's jar
   * follows them; with a custom runtime (its main class is the function's) the task root and its {@code lib/*.jar}, as a
   * custom runtime's bootstrap would put them.
   */
  private String classPath(Path taskRoot) {
    List<String> entries = jars(spec.runtimeDir());
    if (spec.packageOnClassPath()) {
      entries.add(spec.jar().toAbsolutePath().toString());
    } else if (!RIC_MAIN.equals(spec.mainClass()) && taskRoot != null) {
      entries.add(taskRoot.toAbsolutePath().toString());
      if (Files.isDirectory(taskRoot.resolve("lib"))) entries.addAll(jars(taskRoot.resolve("lib")));
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * The runtime client's JNI library for this machine, as the build extracted it into {@code runtime/jni} (the names
   * the client's jar gives them), or null where there is none: the client then copies its own to /tmp, as it would.
   */
  private static Path jniLibrary(Path runtimeDir) {
    String arch = switch (System.getProperty("os.arch", "")) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64" -> "aarch_64";
      default -> null;
    };
    if (arch == null) return null;
    Path lib = runtimeDir.resolve("jni").resolve("libaws-lambda-jni.linux" + (musl() ? "_musl-" : "-") + arch + ".so");
    return Files.isRegularFile(lib) ? lib : null;
  }

  /** Whether this Linux's C library is musl (Alpine): its dynamic loader is {@code /lib/ld-musl-<arch>.so.1}. */
  private static boolean musl() {
    try (Stream<Path> lib = Files.list(Path.of("/lib"))) {
      return lib.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> jars(Path dir) {
    List<String> entries = new ArrayList<>();
    try (Stream<Path> jars = Files.list(dir)) {
      jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted()
          .forEach(p -> entries.add(p.toAbsolutePath().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return entries;
  }

  Map<String, String> environment(RuntimeApiEmulator emulator, Path taskRoot, Path runDir) {
    Map<String, String> env = new LinkedHashMap<>();
    String path = System.getenv("PATH");
    env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    env.put("AWS_LAMBDA_FUNCTION_NAME", spec.functionName());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", spec.initializationType());
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java17");
    if (spec.agent()) {
      env.put("AWS_LAMBDA_EXEC_WRAPPER", spec.layerDir().resolve(WRAPPER).toString());
      env.put("DD_PROFILING_ENABLED", "true");
      env.put("DD_TRACE_AGENT_URL", "http://127.0.0.1:" + emulator.port());
      env.put("DDSLS_PROXY_PORT", Integer.toString(freePort()));
    }
    env.putAll(spec.env());
    env.put("AWS_LAMBDA_RUNTIME_API", emulator.address());
    env.put("_HANDLER", spec.handler());
    env.put("LAMBDA_TASK_ROOT", taskRoot.toAbsolutePath().toString());
    if (spec.agent()) env.put("DDSLS_OUTPUT_DIR", runDir.toAbsolutePath() + "/");
    return env;
  }

  /** A loopback port free right now (the wrapper moves on to the next ones if it is taken by the time it starts). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
