package dev.ddsls.cli.coldstart;

import java.util.List;

/**
 * One fresh JVM: how it ended, its init time as the emulator saw it (null when init never finished; under SnapStart the
 * snapshot's init), the restore's time under SnapStart (null on demand, or when the restore did not finish), the agent's
 * phases (null without the agent), each answered invocation's time from hand-out to response or error, its billed
 * Duration and the post-runtime part of it (same indexes; an entry is null when the asks never came), the files the
 * agent wrote (relative to the output directory), its uploads, and the tail of its output for failures.
 */
record RunResult(int run, Status status, String error, Double initMs, Double restoreMs, AgentPhases.Phases phasesMs,
                 List<Double> invocationsMs, List<Double> durationsMs, List<Double> postRuntimeMs, List<String> files,
                 RuntimeApiEmulator.Uploads uploads, List<String> outputTail) {

  enum Status {
    OK("ok"), INIT_ERROR("init-error"), RESTORE_ERROR("restore-error"), ERROR("error"), TIMEOUT("timeout");

    final String label;

    Status(String label) { this.label = label; }
  }

  boolean ok() { return status == Status.OK; }
}
