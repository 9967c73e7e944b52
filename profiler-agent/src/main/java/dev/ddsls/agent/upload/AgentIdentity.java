package dev.ddsls.agent.upload;

import dev.ddsls.agent.AgentConfig;

/** Who is sending: the agent's version, this JVM's runtime id and process id, the Java version. */
public final class AgentIdentity {
  /** From the agent jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
  public static final String AGENT_VERSION = agentVersion();
  static final String JAVA_VERSION = System.getProperty("java.version", "unknown");
  static final String VM_NAME = System.getProperty("java.vm.name", "unknown");
  static final long PID = ProcessHandle.current().pid();
  /** This JVM's runtime id at start ({@link AgentConfig#runtimeId()} is a SnapStart copy's own after its restore). */
  static final String RUNTIME_ID = AgentConfig.RUNTIME_ID;

  private AgentIdentity() {}

  private static String agentVersion() {
    Package p = AgentIdentity.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
