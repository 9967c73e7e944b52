package dev.ddsls.agent.upload;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Who is sending: the agent's version, this JVM's runtime id and process id, the Java version. */
public final class AgentIdentity {
  /** From the agent jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
  public static final String AGENT_VERSION = agentVersion();
  static final String JAVA_VERSION = System.getProperty("java.version", "unknown");
  static final String VM_NAME = System.getProperty("java.vm.name", "unknown");
  static final long PID = ProcessHandle.current().pid();
  /**
   * A random version-4 UUID per JVM. ThreadLocalRandom rather than UUID.randomUUID(): SecureRandom's
   * provider set-up costs cold-start time, and this id needs uniqueness, not secrecy.
   */
  static final String RUNTIME_ID = runtimeId();

  private AgentIdentity() {}

  private static String agentVersion() {
    Package p = AgentIdentity.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String runtimeId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;                       // version 4
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(hi, lo).toString();
  }
}
