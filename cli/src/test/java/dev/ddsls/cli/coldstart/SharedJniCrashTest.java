package dev.ddsls.cli.coldstart;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The failures {@code coldstart} runs again, as function JVMs left them (JDK 17.0.15, runtime interface client 2.9.0)
 * while four cold starts on this machine rewrote {@code /tmp/.libaws-lambda-jni.so} one after another: a fatal error
 * log of a SIGBUS in the dynamic loader, and the log of a runtime client that found the library half written.
 */
class SharedJniCrashTest {
  private static String log() throws Exception {
    try (InputStream in = new GZIPInputStream(SharedJniCrashTest.class.getResourceAsStream("/coldstart/hs_err-shared-jni.log.gz"))) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void aSigbusLoadingTheSharedJniLibraryIsRecognised() throws Exception {
    assertTrue(ColdstartRun.crashedOnSharedJni(log()));
  }

  @Test
  void aLibraryFoundHalfWrittenIsRecognised() throws Exception {
    try (InputStream in = SharedJniCrashTest.class.getResourceAsStream("/coldstart/stderr-shared-jni-too-short.log")) {
      String stderr = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(ColdstartRun.failedOnSharedJni(stderr));
      assertFalse(ColdstartRun.failedOnSharedJni("Exception in thread \"main\" java.lang.ClassNotFoundException: example.Missing"));
    }
  }

  @Test
  void anyOtherCrashIsTheFunctionsAndIsNotRunAgain() throws Exception {
    // The same JVM's log without the shared library in it: a crash elsewhere in native code is the run's result.
    String elsewhere = log().lines().filter(l -> !l.contains(ColdstartRun.SHARED_JNI)).collect(Collectors.joining("\n"));
    assertFalse(ColdstartRun.crashedOnSharedJni(elsewhere));
    assertFalse(ColdstartRun.crashedOnSharedJni(log().replace("SIGBUS", "SIGSEGV")));
  }
}
