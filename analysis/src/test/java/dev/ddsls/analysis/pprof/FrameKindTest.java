package dev.ddsls.analysis.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameKindTest {
  @Test
  void nativeSymbolsAreNeverJavaOrOwnCode() {
    for (String f : List.of("pthread_mutex_lock@@GLIBC_2.2.5", "clock_gettime@@GLIBC_2.17", "skip_over_fieldname.constprop.0",
        "ClassFileParser::parse_stream", "/lib64/libc.so.6", "[unknown]", "__memcpy_avx_unaligned", "foo (bar)", "a.b c.d")) {
      assertEquals(FrameKind.NATIVE, FrameKind.of(f), f);
      assertTrue(FrameStats.isLibrary(f), f);
      assertEquals(FrameStats.NATIVE, FrameStats.packageOf(f), f);
    }
    assertFalse(FrameStats.packageOf("pthread_mutex_lock@@GLIBC_2.2.5").startsWith("pthread"));
  }

  @Test
  void javaKinds() {
    assertEquals(FrameKind.JDK, FrameKind.of("java.util.HashMap.put"));
    assertEquals(FrameKind.JDK, FrameKind.of("jdk.internal.loader.BuiltinClassLoader.loadClass"));
    assertEquals(FrameKind.JDK, FrameKind.of("sun.security.ssl.SSLContextImpl.<init>"));
    assertEquals(FrameKind.RUNTIME, FrameKind.of("com.amazonaws.services.lambda.runtime.api.client.AWSLambda.main"));
    assertEquals(FrameKind.RUNTIME, FrameKind.of("lambdainternal.AWSLambda.startRuntime"));
    assertEquals(FrameKind.AGENT, FrameKind.of("dev.ddsls.agent.Start.premain"));
    assertEquals(FrameKind.AGENT, FrameKind.of("one.profiler.AsyncProfiler.execute0"));
    assertEquals(FrameKind.LIBRARY, FrameKind.of("software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder.build"));
    assertEquals(FrameKind.OWN, FrameKind.of("com.example.Handler.<clinit>"));
    assertEquals(FrameKind.OWN, FrameKind.of("Main.main"));
  }

  @Test
  void lambdaClassesAreJavaMethods() {
    assertEquals(FrameKind.OWN, FrameKind.of("com.example.Handler$$Lambda/0x0000000800c01234.apply"));
    assertEquals(FrameKind.OWN, FrameKind.of("com.example.Handler$$Lambda.0x0000000800c01234.apply"));
    assertEquals("com.example", FrameStats.packageOf("com.example.Handler$$Lambda.0x0000000800c01234.apply"));
    assertEquals(FrameKind.JDK, FrameKind.of("java.util.stream.ReferencePipeline$3$1.accept"));
  }

  @Test
  void handlerPackageNarrowsOwnCode() {
    assertEquals("com.example.orders", FrameKind.handlerPackage("com.example.orders.Handler::handleRequest"));
    assertEquals("com.example", FrameKind.handlerPackage("com.example.Handler"));
    assertNull(FrameKind.handlerPackage("Handler::handleRequest"));
    assertNull(FrameKind.handlerPackage(null));
    OwnCode orders = OwnCode.ofHandler("com.example.orders.Handler::handleRequest");
    assertEquals(FrameKind.OWN, FrameKind.of("com.example.orders.Rules.build", orders));
    assertEquals(FrameKind.LIBRARY, FrameKind.of("org.acme.util.Cache.load", orders));
    assertEquals(FrameKind.LIBRARY, FrameKind.of("com.example.ordersx.A.b", orders));
    assertEquals(FrameKind.JDK, FrameKind.of("java.lang.Thread.run", OwnCode.ofHandler("java.lang.Foo::bar")));
  }

  @Test
  void jvmActivities() {
    assertEquals(JvmActivity.CLASS_LOADING, JvmActivity.of("ClassFileParser::parse_stream"));
    assertEquals(JvmActivity.CLASS_LOADING, JvmActivity.of("JVM_DefineClassWithSource"));
    assertEquals(JvmActivity.JIT, JvmActivity.of("CompileBroker::compiler_thread_loop()"));
    assertEquals(JvmActivity.GC, JvmActivity.of("G1ParScanThreadState::trim_queue"));
    assertEquals(JvmActivity.ZIP, JvmActivity.of("inflate_fast"));
    assertEquals(JvmActivity.SYMBOL_TABLES, JvmActivity.of("SymbolTable::lookup"));
    assertEquals(JvmActivity.OTHER_JVM, JvmActivity.of("__memcpy_avx_unaligned"));
    // a libc leaf under the class file parser is class loading; on a compiler thread, JIT
    assertEquals(JvmActivity.CLASS_LOADING, JvmActivity.ofStack(List.of("__memcpy_avx_unaligned", "ClassFileParser::parse_stream",
        "java.lang.ClassLoader.defineClass1"), "main"));
    assertEquals(JvmActivity.JIT, JvmActivity.ofStack(List.of("__memset_avx2", "start_thread"), "C1 CompilerThread0"));
    assertEquals(JvmActivity.INTERPRETER, JvmActivity.ofStack(List.of("InterpreterRuntime::resolve_from_cache", "com.example.A.b"), "main"));
  }
}
