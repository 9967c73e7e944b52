package dev.ddsls.analysis.profile;

import dev.ddsls.analysis.jfr.JfrProfiles;
import dev.ddsls.analysis.pprof.PprofReader;

/**
 * What an uncompressed profile is: a JFR recording starts with its chunk magic {@code FLR\0}; anything else is taken
 * for a pprof {@code Profile} message, which has no magic of its own (its reader then checks the protobuf).
 */
public enum ProfileFormat {
  PPROF("pprof", PprofReader.MAX_BYTES),
  JFR("jfr", JfrProfiles.MAX_BYTES);

  /** The name the collector stores and serves ({@code X-Ddsls-Format}). */
  public final String id;
  /** The largest uncompressed content its reader takes (docs/reliability.md). */
  public final long maxBytes;

  ProfileFormat(String id, long maxBytes) {
    this.id = id;
    this.maxBytes = maxBytes;
  }

  /** From the first bytes of the uncompressed content (4 are enough). */
  public static ProfileFormat of(byte[] head) {
    return Magic.startsWith(head, 0, 'F', 'L', 'R', 0) ? JFR : PPROF;
  }
}
