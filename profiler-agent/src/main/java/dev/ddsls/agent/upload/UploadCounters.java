package dev.ddsls.agent.upload;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of what the {@link Uploader} did. Profiles count upload requests (a batch may be split into
 * several), spans count spans.
 */
final class UploadCounters {
  /** Profile uploads answered with 2xx. */
  final long profilesSent;
  /** Profile upload attempts that failed (each attempt counts). */
  final long profilesFailed;
  /** Profile uploads given up: failed twice, or pushed out of the bounded queue. */
  final long profilesDropped;
  /** Attachments left out because one alone made an upload body of 2 MiB or more. */
  final long attachmentsDropped;
  final long spansSent;
  /** Spans in failed attempts (each attempt counts). */
  final long spansFailed;
  /** Spans given up: failed twice, or pushed out of the bounded queue. */
  final long spansDropped;
  /** Failed attempts per kind, e.g. {@code profile:connect}, {@code profile:timeout}, {@code spans:http-500}. */
  final Map<String, Long> failures;

  UploadCounters(long profilesSent, long profilesFailed, long profilesDropped, long attachmentsDropped, long spansSent,
      long spansFailed, long spansDropped, Map<String, Long> failures) {
    this.profilesSent = profilesSent;
    this.profilesFailed = profilesFailed;
    this.profilesDropped = profilesDropped;
    this.attachmentsDropped = attachmentsDropped;
    this.spansSent = spansSent;
    this.spansFailed = spansFailed;
    this.spansDropped = spansDropped;
    this.failures = new LinkedHashMap<>(failures);
  }

  long failures(String kind) {
    Long n = failures.get(kind);
    return n == null ? 0 : n;
  }

  @Override
  public String toString() {
    return "profiles sent=" + profilesSent + " failed=" + profilesFailed + " dropped=" + profilesDropped
        + " attachmentsDropped=" + attachmentsDropped + "; spans sent=" + spansSent + " failed=" + spansFailed
        + " dropped=" + spansDropped + (failures.isEmpty() ? "" : "; failures " + failures);
  }
}
