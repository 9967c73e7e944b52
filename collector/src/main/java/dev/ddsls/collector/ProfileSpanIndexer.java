package dev.ddsls.collector;

import java.util.Collection;

/**
 * The seam for span-id indexing of profiles. An implementation reads the samples of an attachment and says which
 * spans they belong to (pprof labels {@code span id} / {@code local root span id}, JFR span context events); the
 * collector then stores those pairs in its {@code profile_spans} table, in the same transaction as the profile, and
 * {@code GET /ddsls/v1/profiles?span_id=} finds the profile by them.
 *
 * <p>{@link PprofSpanIndexer} reads pprof attachments (the agent's), {@link JfrSpanIndexer} JFR recordings
 * (dd-trace-java's {@code main.jfr}).
 */
public interface ProfileSpanIndexer {
  /** A span that samples of the attachment belong to. {@code localRootSpanId} is 0 when unknown. */
  final class SpanRef {
    public final long spanId;
    public final long localRootSpanId;

    public SpanRef(long spanId, long localRootSpanId) {
      this.spanId = spanId;
      this.localRootSpanId = localRootSpanId;
    }
  }

  /**
   * The spans referenced by one attachment as uploaded.
   *
   * @param format {@code pprof} or {@code jfr}
   * @param compression {@code gzip}, {@code zstd}, {@code lz4} or {@code none}: {@code data} is still compressed
   * @return the spans, or an empty collection when this indexer does not read that format
   * @throws Malformed when the attachment cannot be read at all: the upload is refused with a 400
   * @throws Exception when indexing fails otherwise; the profile is stored anyway, without span links
   */
  Collection<SpanRef> spans(String format, String compression, byte[] data) throws Exception;
}
