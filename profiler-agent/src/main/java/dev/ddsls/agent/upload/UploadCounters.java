package dev.ddsls.agent.upload;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of what the {@link Uploader} did. Profiles count upload requests (a batch may be split into
 * several), spans count spans.
 */
public final class UploadCounters {
  /** Profile uploads answered with 2xx. */
  public final long profilesSent;
  /** Profile upload attempts that failed (each attempt counts). */
  public final long profilesFailed;
  /** Profile uploads given up: failed twice, or pushed out of the bounded queue. */
  public final long profilesDropped;
  /** Attachments left out because one alone made an upload body of 2 MiB or more. */
  public final long attachmentsDropped;
  public final long spansSent;
  /** Spans in failed attempts (each attempt counts). */
  public final long spansFailed;
  /** Spans given up: failed twice, or pushed out of the bounded queue. */
  public final long spansDropped;
  /** Failed attempts per kind, e.g. {@code profile:connect}, {@code profile:timeout}, {@code spans:http-500}. */
  public final Map<String, Long> failures;

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

  public long failures(String kind) {
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
