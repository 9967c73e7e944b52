package dev.ddsls.cli.coldstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddsls.cli.coldstart.RunResult.Status;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One cold start: a fresh emulator and a fresh JVM, M invocations one after the other (as Lambda sends them to one
 * execution environment), then SIGTERM. Every wait is bounded by the per-invocation timeout; the first wait also
 * covers init.
 */
final class ColdstartRun {
  static final String STDOUT = "stdout.log";
  static final String STDERR = "stderr.log";
  /** One JSON line per invocation: request id, trace header, outcome, time, response. ddsls's own, like the logs. */
  static final String INVOCATIONS = "invocations.jsonl";
  private static final int MAX_RESPONSE_CHARS = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TAIL_LINES = 20;
  private static final long TERM_GRACE_SECONDS = 3;
  /**
   * A JVM asked to write at its exit (a CDS archive, a JFR recording) is given this long after SIGTERM: on a loaded
   * machine the write took more than 3 s, and a JVM killed mid-write leaves nothing, or an archive the next JVM ignores.
   */
  private static final long WRITE_AT_EXIT_GRACE_SECONDS = 60;
  /**
   * Lambda fails a restore whose afterRestore hooks run longer than 10 seconds (SnapStartTimeoutException; AWS Lambda
   * developer guide, "Troubleshooting SnapStart errors").
   */
  static final long RESTORE_LIMIT_MILLIS = 10_000;

  /**
   * The AWS runtime interface client copies its JNI library to the fixed path {@code /tmp/.libaws-lambda-jni.so} at
   * every start (2.9.0's {@code JniHelper}). Lambda gives each sandbox its own /tmp; on one machine, a JVM that maps the
   * file while another JVM's start rewrites it dies of SIGBUS in the dynamic loader, and one that opens it half
   * written fails to load it ("file too short") and exits (together about 1 start in 100 with four cold starts at
   * once). The launch now points the client at the library the build extracted ({@link RuntimeLaunch#JNI_PROPERTY}),
   * so this is left to installations without {@code runtime/jni} and runtime clients older than 2.3.2. Such a run is
   * the machine's accident, not the function's: it is run again, this many times at the most, and said so.
   */
  static final int SHARED_JNI_ATTEMPTS = 3;
  static final String SHARED_JNI = "/tmp/.libaws-lambda-jni.so";

  private final RuntimeLaunch launch;
  private final List<byte[]> events;
  private final int invocations;
  private final long timeoutMillis;
  private final Path outDir;
  private final Path taskRoot;

  /**
   * @param taskRoot the unpacked package, shared by the runs of one jar (Lambda's /var/task; the runs do not change it),
   *     or null with {@link RuntimeLaunch.Spec#packageOnClassPath}: then each run gets an empty working directory
   */
  ColdstartRun(RuntimeLaunch launch, List<byte[]> events, int invocations, long timeoutMillis, Path outDir, Path taskRoot) {
    this.launch = launch;
    this.events = events;
    this.invocations = invocations;
    this.timeoutMillis = timeoutMillis;
    this.outDir = outDir;
    this.taskRoot = taskRoot;
  }

  /** Outcome of driving the invocations, before the process is gone. */
  private static final class Drive {
    Status status = Status.OK;
    String error;
    final List<Double> invocationsMs = new ArrayList<>();
    /** Billed Duration and its post-runtime part of each answered invocation (null: the asks never came). */
    final List<Double> durationsMs = new ArrayList<>();
    final List<Double> postRuntimeMs = new ArrayList<>();
    final List<Invocation> sent = new ArrayList<>();
    /** SnapStart: the runtime's /restore/error, or null. */
    RuntimeApiEmulator.RestoreError restoreError;
    /** SnapStart: the restore overran Lambda's limit. */
    boolean restoreTimedOut;

    void fail(Status s, String message) {
      if (status == Status.OK) {
        status = s;
        error = message;
      }
    }
  }

  RunResult run(int n) throws IOException, InterruptedException {
    for (int i = 1; ; i++) {
      Attempt a = attempt(n);
      if (!a.sharedJniAccident() || i == SHARED_JNI_ATTEMPTS) return a.result();
      System.err.printf("ddsls: run %d: the function's JVM failed loading the runtime client's JNI library, which every JVM on this"
          + " machine rewrites at %s (Lambda gives each sandbox its own /tmp); running it again%n", n, SHARED_JNI);
    }
  }

  /** One start of a run, and whether its JVM died of the shared JNI library (see {@link #SHARED_JNI_ATTEMPTS}). */
  private record Attempt(RunResult result, boolean sharedJniAccident) {}

  /**
   * True when a JVM's fatal error log says it died loading the runtime client's JNI library from {@link #SHARED_JNI}:
   * a SIGBUS, with the runtime client's {@code JniHelper} loading it.
   */
  static boolean crashedOnSharedJni(String hsErr) {
    return hsErr.contains("SIGBUS") && hsErr.contains("JniHelper.unpackAndLoad") && hsErr.contains(SHARED_JNI);
  }

  /**
   * True when the runtime client logged that it could not load its JNI library from {@link #SHARED_JNI} (it then exits
   * before init). A /tmp that cannot hold it fails the same way every time, and is reported after the last attempt.
   */
  static boolean failedOnSharedJni(String stderr) {
    return stderr.contains("Failed to load the native runtime interface client library") && stderr.contains(SHARED_JNI);
  }

  private Attempt attempt(int n) throws IOException, InterruptedException {
    boolean sharedJniAccident = false;
    Path runDir = outDir.resolve("run-" + n);
    Files.createDirectories(runDir);
    Path cwd = taskRoot != null ? taskRoot : Files.createTempDirectory("ddsls-task-");
    RuntimeLaunch.Spec spec = launch.spec();
    Drive d = new Drive();
    Double initMs;
    Double restoreMs = null;
    RuntimeApiEmulator.Uploads uploads;
    try (RuntimeApiEmulator emu = spec.snapStart()
        ? RuntimeApiEmulator.startSnapStart(spec.functionName(), spec.handler(), timeoutMillis)
        : RuntimeApiEmulator.start(spec.functionName(), spec.handler(), timeoutMillis)) {
      ProcessBuilder pb = launch.processBuilder(emu, cwd, runDir);
      pb.redirectOutput(runDir.resolve(STDOUT).toFile());
      pb.redirectError(runDir.resolve(STDERR).toFile());
      long start = System.nanoTime();
      // The agent's init phases then start where this emulator's init does, as Lambda's Init Duration starts
      // when the platform starts the runtime: one definition of init in coldstart, diagnose and gate.
      Instant launched = Instant.now();
      pb.environment().put("DDSLS_PLATFORM_START_NS", Long.toString(launched.getEpochSecond() * 1_000_000_000L + launched.getNano()));
      emu.markProcessStart(start);
      Process p = pb.start();
      // Ctrl-C on ddsls must not leave the function's JVM behind.
      Thread reaper = new Thread(p::destroyForcibly, "ddsls-coldstart-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      try {
        drive(emu, p, d);
      } finally {
        boolean extensions = emu.shutdown();
        stop(p, spec.writesAtExit() ? WRITE_AT_EXIT_GRACE_SECONDS : extensions ? TERM_GRACE_SECONDS : 0);
        try {
          Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
          // ddsls is exiting: the hook runs anyway and finds the process gone
        }
      }
      // A JVM's fatal error log lands in its working directory: the run keeps it, the task root stays as unpacked.
      Path hsErr = cwd.resolve("hs_err_pid" + p.pid() + ".log");
      if (Files.isRegularFile(hsErr)) {
        Path kept = Files.move(hsErr, runDir.resolve(hsErr.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        sharedJniAccident = d.status == Status.INIT_ERROR && crashedOnSharedJni(Files.readString(kept, StandardCharsets.ISO_8859_1));
      } else if (d.status == Status.INIT_ERROR) {
        sharedJniAccident = failedOnSharedJni(Files.readString(runDir.resolve(STDERR), StandardCharsets.ISO_8859_1));
      }
      Long initEnd = emu.initDone().getNow(null);
      initMs = initEnd == null ? null : millis(initEnd - start);
      if (spec.snapStart()) {
        Long restoreStart = emu.restoreStart().getNow(null);
        Long firstNext = emu.firstNext().getNow(null);
        if (restoreStart != null && firstNext != null) restoreMs = micros(firstNext - restoreStart);
      }
      uploads = emu.uploads();
      writeInvocations(runDir.resolve(INVOCATIONS), d);
      platformRecords(emu, d, launched, start, restoreMs).write(runDir);
    } finally {
      if (taskRoot == null) TaskRoot.deleteTree(cwd);
    }
    String error = d.error;
    if (d.status == Status.INIT_ERROR) {
      // The runtime posts only the outer error (ExceptionInInitializerError: Error loading class ...); the reason
      // is the root cause in the stack trace it logged. A checkpoint hook's exception is a suppressed one of the
      // runtime client's CheckpointException.
      String cause = lastLogged(runDir, "Caused by: ");
      if (cause == null && error.startsWith("Runtime.BeforeCheckpointError")) cause = lastLogged(runDir, "Suppressed: ");
      if (cause != null && !error.contains(cause)) error += " (caused by " + cause + ")";
    } else if (d.status == Status.RESTORE_ERROR) {
      // The runtime client posts its context's RestoreException; the hooks' own exceptions are its suppressed ones,
      // in the stack trace it logged.
      String cause = lastLogged(runDir, "Suppressed: ");
      if (cause != null && !error.contains(cause)) error += " (caused by " + cause + ")";
    }
    return new Attempt(new RunResult(n, d.status, error, initMs, restoreMs, AgentPhases.read(runDir), d.invocationsMs,
        d.durationsMs, d.postRuntimeMs, agentFiles(runDir), uploads, d.status == Status.OK ? List.of() : tail(runDir)), sharedJniAccident);
  }

  /** The run as Lambda's Telemetry API would have reported it: see {@link PlatformRecords}. */
  private PlatformRecords platformRecords(RuntimeApiEmulator emu, Drive d, Instant launched, long start, Double restoreMs) {
    RuntimeLaunch.Spec spec = launch.spec();
    PlatformRecords pr = new PlatformRecords(launched, start, spec.functionName(), spec.snapStart() ? "1" : "$LATEST");
    Long initEnd = emu.initDone().getNow(null);
    RuntimeApiEmulator.InitError ie = emu.initError().getNow(null);
    String initStatus = ie != null ? "error" : initEnd != null ? "success" : d.status == Status.TIMEOUT ? "timeout" : "failure";
    // The Runtime API error type the runtime declared (Runtime.BadFunctionCode, Runtime.BeforeCheckpointError, ...),
    // as for the restore's records; else the exception's.
    String initErrorType = ie != null ? (ie.runtimeErrorType() != null ? ie.runtimeErrorType() : ie.errorType() != null ? ie.errorType()
        : "Runtime.Unknown")
        : initEnd == null ? "Runtime.ExitError" : null;
    pr.init(spec.initializationType(), initEnd != null ? initEnd : ie != null ? Long.valueOf(ie.nanos()) : null, initStatus, initErrorType);
    if (spec.snapStart() && initEnd != null) {
      Long restoreStart = emu.restoreStart().getNow(null);
      if (restoreStart != null) {
        RuntimeApiEmulator.RestoreError re = d.restoreError;
        Long end = re != null ? Long.valueOf(re.nanos()) : emu.firstNext().getNow(null);
        // A restore that overran ends, for the platform, at its limit.
        if (end == null && d.restoreTimedOut) end = restoreStart + RESTORE_LIMIT_MILLIS * 1_000_000;
        String status = re != null ? "error" : d.restoreTimedOut || (end == null && d.status == Status.TIMEOUT) ? "timeout"
            : end != null ? "success" : "failure";
        String type = re != null ? (re.runtimeErrorType() != null ? re.runtimeErrorType() : "Runtime.AfterRestoreError")
            : end == null && !d.restoreTimedOut ? "Runtime.ExitError" : null;
        pr.restore(restoreStart, end, status, type);
      }
    }
    for (int k = 0; k < d.sent.size() && k < d.invocationsMs.size(); k++) {
      Invocation inv = d.sent.get(k);
      Invocation.Outcome o = inv.outcome().getNow(null);
      Long out = inv.handedOut().getNow(null);
      if (o == null || out == null) continue;
      Double duration = k < d.durationsMs.size() ? d.durationsMs.get(k) : null;
      boolean cold = k == 0;
      pr.invocation(inv, out, o.nanos(), duration, o.errorType(), o.error(), spec.memoryMb(),
          cold && !spec.snapStart() && initEnd != null ? micros(initEnd - start) : null, cold && spec.snapStart() ? restoreMs : null);
    }
    return pr;
  }

  private void drive(RuntimeApiEmulator emu, Process p, Drive d) throws InterruptedException {
    CompletableFuture<Process> exit = p.onExit();
    for (int i = 0; i < invocations; i++) {
      int k = i + 1;
      Invocation inv = emu.enqueue(events.get(i % events.size()));
      d.sent.add(inv);
      if (k == 1 && emu.snapStart()) {
        // The snapshot's init is bounded by --timeout; the restore by Lambda's own limit, whatever the function's.
        if (!await(CompletableFuture.anyOf(emu.initDone(), emu.initError(), exit))) {
          d.fail(Status.TIMEOUT, "init did not finish within " + seconds() + " s");
          return;
        }
        if (emu.initDone().isDone() && !await(CompletableFuture.anyOf(emu.firstNext(), emu.restoreError(), exit), RESTORE_LIMIT_MILLIS)) {
          d.restoreTimedOut = true;
          d.fail(Status.RESTORE_ERROR, "SnapStartTimeoutException: the restore (the afterRestore hooks) did not finish within "
              + RESTORE_LIMIT_MILLIS / 1000 + " s, Lambda's limit");
          return;
        }
      }
      // Handed out, or init (or the restore) failed, or the runtime is gone.
      if (!await(CompletableFuture.anyOf(inv.handedOut(), emu.initError(), emu.restoreError(), exit))) {
        if (!emu.initDone().isDone()) d.fail(Status.TIMEOUT, "init did not finish within " + seconds() + " s");
        else if (!emu.firstNext().isDone()) d.fail(Status.TIMEOUT, "the restore did not finish within " + seconds() + " s");
        else d.fail(Status.TIMEOUT, "the runtime did not ask for invocation " + k + " within " + seconds() + " s");
        return;
      }
      RuntimeApiEmulator.InitError ie = emu.initError().getNow(null);
      if (ie != null) {
        // A SnapStart init that failed in a beforeCheckpoint hook says so first, as the runtime client declared it.
        boolean checkpoint = "Runtime.BeforeCheckpointError".equals(ie.runtimeErrorType());
        d.fail(Status.INIT_ERROR, (checkpoint ? ie.runtimeErrorType() + ": " : "") + describe(ie.errorType(), ie.errorMessage()));
        return;
      }
      RuntimeApiEmulator.RestoreError re = emu.restoreError().getNow(null);
      if (re != null) {
        // What the caller of Invoke gets from Lambda when an afterRestore hook fails, then what the runtime posted.
        d.restoreError = re;
        String message = re.errorMessage() == null || re.errorMessage().equals(re.errorType())
            || re.errorMessage().equals(re.errorType() + ": " + re.errorType()) ? null : re.errorMessage();
        d.fail(Status.RESTORE_ERROR, "SnapStartException: the afterRestore() runtime hook encountered an error ("
            + (re.runtimeErrorType() == null ? "" : re.runtimeErrorType() + ": ") + describe(re.errorType(), message) + ")");
        return;
      }
      if (!inv.handedOut().isDone()) {
        int code = p.exitValue();
        if (!emu.initDone().isDone()) d.fail(Status.INIT_ERROR, "the runtime exited with code " + code + " before init finished");
        else if (!emu.firstNext().isDone()) d.fail(Status.RESTORE_ERROR, "the runtime exited with code " + code + " during the restore");
        else d.fail(Status.ERROR, "the runtime exited with code " + code + " before invocation " + k);
        return;
      }
      if (!await(CompletableFuture.anyOf(inv.outcome(), exit))) {
        d.fail(Status.TIMEOUT, "invocation " + k + " did not finish within " + seconds() + " s");
        return;
      }
      Invocation.Outcome o = inv.outcome().getNow(null);
      if (o == null) {
        d.fail(Status.ERROR, "the runtime exited with code " + p.exitValue() + " during invocation " + k);
        return;
      }
      long handedOut = inv.handedOut().getNow(o.nanos());
      d.invocationsMs.add(millis(o.nanos() - handedOut));
      if (o.error()) d.fail(Status.ERROR, "invocation " + k + ": " + describe(o.errorType(), o.errorMessage()));
      // Lambda bills until the runtime and every INVOKE extension have asked for the next event (with the agent: once
      // its flush lets the runtime's /next through), and hands out the next event only then. So does this loop, after
      // the last invocation too: every answered invocation is measured alike, none by the shutdown that follows.
      boolean asked = await(CompletableFuture.anyOf(inv.durationEnd(), exit));
      Long end = inv.durationEnd().getNow(null);
      d.durationsMs.add(end == null ? null : micros(end - handedOut));
      d.postRuntimeMs.add(end == null ? null : micros(end - o.nanos()));
      if (!asked) {
        d.fail(Status.TIMEOUT, "after invocation " + k + " the runtime and its extensions did not all ask for the next event within "
            + seconds() + " s");
        return;
      }
    }
  }

  private static void writeInvocations(Path file, Drive d) throws IOException {
    StringBuilder sb = new StringBuilder();
    int k = 0;
    for (Invocation inv : d.sent) {
      ObjectNode n = JSON.createObjectNode();
      n.put("invocation", ++k);
      n.put("requestId", inv.requestId);
      n.put("traceHeader", inv.traceHeader);
      Long out = inv.handedOut().getNow(null);
      Invocation.Outcome o = inv.outcome().getNow(null);
      n.put("status", o == null ? (out == null ? "not-handed-out" : "unanswered") : o.error() ? "error" : "ok");
      if (out != null && o != null) n.put("ms", millis(o.nanos() - out));
      // The answered invocations are the first ones sent: the drive stops at the first that is not.
      if (k <= d.durationsMs.size()) {
        n.put("durationMs", d.durationsMs.get(k - 1));
        n.put("postRuntimeMs", d.postRuntimeMs.get(k - 1));
      }
      if (o != null && o.error()) {
        n.put("errorType", o.errorType());
        n.put("errorMessage", o.errorMessage());
      }
      if (o != null && !o.error()) {
        String body = new String(o.body(), StandardCharsets.UTF_8);
        n.put("response", body.length() > MAX_RESPONSE_CHARS ? body.substring(0, MAX_RESPONSE_CHARS) : body);
      }
      sb.append(JSON.writeValueAsString(n)).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  /** True when the future completed within the timeout. */
  private boolean await(CompletableFuture<?> f) throws InterruptedException { return await(f, timeoutMillis); }

  private static boolean await(CompletableFuture<?> f, long millis) throws InterruptedException {
    try {
      f.get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  /**
   * As Lambda shuts an environment down: SIGTERM where an extension is registered, SIGKILL {@code graceSeconds} later;
   * SIGKILL at once ({@code graceSeconds} 0) where none is, unless the JVM was asked to write something at its exit
   * (then it is given {@link #WRITE_AT_EXIT_GRACE_SECONDS} to write it). A JVM leaving on SIGTERM also waits up to 300
   * ms for the runtime client's thread, in native code in its /next (HotSpot's VM_Exit): a run without extensions,
   * killed, no longer pays that (3 runs of HelloHandler, agent off: 2.9 s, now 1.7-1.9 s).
   */
  private static void stop(Process p, long graceSeconds) throws InterruptedException {
    if (graceSeconds == 0) {
      p.destroyForcibly();
      p.waitFor(TERM_GRACE_SECONDS, TimeUnit.SECONDS);
      return;
    }
    p.destroy();
    if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(TERM_GRACE_SECONDS, TimeUnit.SECONDS);
    }
  }

  private String seconds() { return Long.toString(timeoutMillis / 1000); }

  private static String describe(String type, String message) {
    if (type == null && message == null) return "no error details";
    if (type == null) return message;
    if (message == null) return type;
    return type + ": " + message;
  }

  static double millis(long nanos) { return Math.round(nanos / 100_000.0) / 10.0; }

  /** Milliseconds to the microsecond: the agent's cost per invocation is a fraction of the 0.1 ms of {@link #millis}. */
  static double micros(long nanos) { return Math.round(nanos / 1_000.0) / 1000.0; }

  /** Everything in the run directory but ddsls's own files, relative to the output directory, sorted. */
  private List<String> agentFiles(Path runDir) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(runDir)) {
      s.filter(Files::isRegularFile)
          .filter(f -> !(f.getParent().equals(runDir)
              && (f.endsWith(STDOUT) || f.endsWith(STDERR) || f.endsWith(INVOCATIONS) || f.endsWith(PlatformRecords.FILE))))
          .forEach(f -> files.add(outDir.relativize(f).toString().replace(File.separatorChar, '/')));
    }
    files.sort(null);
    return files;
  }

  /**
   * The last lines of stderr; of stdout when stderr is empty, because the runtime interface client redirects the
   * function's System.err to its log sink, stdout by default.
   */
  private static List<String> tail(Path runDir) throws IOException {
    List<String> lines = lastLines(runDir.resolve(STDERR));
    return lines.isEmpty() ? lastLines(runDir.resolve(STDOUT)) : lines;
  }

  /** The last line of the output that starts (after indentation) with {@code prefix}, without it, or null. */
  private static String lastLogged(Path runDir, String prefix) throws IOException {
    String cause = null;
    for (Path f : List.of(runDir.resolve(STDOUT), runDir.resolve(STDERR))) {
      if (!Files.exists(f)) continue;
      try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
        for (String l : (Iterable<String>) lines::iterator) {
          String t = l.strip();
          if (t.startsWith(prefix)) cause = t.substring(prefix.length()).trim();
        }
      } catch (UncheckedIOException notText) {
        // not UTF-8: no cause to show
      }
    }
    return cause == null || cause.length() <= 300 ? cause : cause.substring(0, 300) + "...";
  }

  private static List<String> lastLines(Path file) throws IOException {
    if (!Files.exists(file)) return List.of();
    Deque<String> last = new ArrayDeque<>();
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      lines.forEach(l -> {
        if (last.size() == TAIL_LINES) last.removeFirst();
        last.addLast(l);
      });
    } catch (UncheckedIOException e) {
      return List.of("(output is not UTF-8 text)");
    }
    while (!last.isEmpty() && last.peekLast().isBlank()) last.removeLast();
    return new ArrayList<>(last);
  }
}
