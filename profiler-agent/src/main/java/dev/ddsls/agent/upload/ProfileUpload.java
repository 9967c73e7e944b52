package dev.ddsls.agent.upload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One {@code POST /profiling/v1/input} request body: multipart/form-data with the {@code event} part
 * (event.json, Datadog's "V2.4" event) and one part per attachment (gzipped pprof, name = filename); and, while it
 * waits in the {@link Uploader}'s queue, how often it was tried.
 */
final class ProfileUpload {
  final String contentType;
  final byte[] body;
  /** Guarded by the uploader. */
  int attempts;

  private ProfileUpload(String contentType, byte[] body) {
    this.contentType = contentType;
    this.body = body;
  }

  /**
   * The event JSON.
   *
   * @param startEpochNanos start of the profiled period, nanoseconds since the epoch
   * @param attachments the attachment parts, by file name, e.g. {@code cpu.pprof}
   * @param family the event's {@code family} (DDSLS_PROFILE_FAMILY)
   * @param endpointCounts hits per endpoint (resource of the local root span); null or empty: left out
   * @param info ddsls' own data (e.g. cold-start phases), as the {@code info.ddsls} object; null or empty: left out
   */
  static String eventJson(long startEpochNanos, long endEpochNanos, List<Uploader.Attachment> attachments, String family,
      String tagsProfiler, Map<String, Long> endpointCounts, Map<String, String> info) {
    JsonWriter j = new JsonWriter();
    j.beginObject();
    j.name("attachments").beginArray();
    for (int i = 0; i < attachments.size(); i++) j.value(attachments.get(i).name());
    j.endArray();
    j.name("start").value(rfc3339(startEpochNanos));
    j.name("end").value(rfc3339(endEpochNanos));
    j.name("family").value(family);
    j.name("version").value("4");
    j.name("tags_profiler").value(tagsProfiler);
    if (endpointCounts != null && !endpointCounts.isEmpty()) {
      j.name("endpoint_counts").beginObject();
      for (Map.Entry<String, Long> e : endpointCounts.entrySet()) {
        if (e.getKey() != null && e.getValue() != null) j.name(e.getKey()).value(e.getValue().longValue());
      }
      j.endObject();
    }
    if (info != null && !info.isEmpty()) {
      // Datadog's own senders put library data under info.<name> (Go: info.profiler); ours goes under info.ddsls.
      j.name("info").beginObject().name("ddsls").beginObject();
      for (Map.Entry<String, String> e : info.entrySet()) {
        if (e.getKey() != null) j.name(e.getKey()).value(e.getValue());
      }
      j.endObject().endObject();
    }
    j.endObject();
    return j.toString();
  }

  /** The multipart body: the event part, then each attachment under its name, as name and filename. */
  static ProfileUpload build(String eventJson, List<Uploader.Attachment> attachments) {
    String boundary = "ddsls-" + TraceEncoder.hex16(ThreadLocalRandom.current().nextLong())
        + TraceEncoder.hex16(ThreadLocalRandom.current().nextLong());
    byte[] event = eventJson.getBytes(StandardCharsets.UTF_8);
    int size = event.length + 512;
    for (int i = 0; i < attachments.size(); i++) size += attachments.get(i).gzipped().length + 256;
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    part(out, boundary, "event", "event.json", "application/json", event);
    for (int i = 0; i < attachments.size(); i++) {
      Uploader.Attachment a = attachments.get(i);
      part(out, boundary, a.name(), a.name(), "application/octet-stream", a.gzipped());
    }
    ascii(out, "--" + boundary + "--\r\n");
    return new ProfileUpload("multipart/form-data; boundary=" + boundary, out.toByteArray());
  }

  private static void part(ByteArrayOutputStream out, String boundary, String name, String filename, String type, byte[] data) {
    ascii(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
        + "\"\r\nContent-Type: " + type + "\r\n\r\n");
    out.write(data, 0, data.length);
    ascii(out, "\r\n");
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  /**
   * RFC 3339 UTC with nanoseconds, e.g. {@code 2026-08-21T10:15:30.123456789Z}. Computed here rather than with
   * java.time's formatter, which loads dozens of classes.
   */
  static String rfc3339(long epochNanos) {
    long secs = Math.floorDiv(epochNanos, 1_000_000_000L);
    long nanos = Math.floorMod(epochNanos, 1_000_000_000L);
    long days = Math.floorDiv(secs, 86_400L);
    long sod = Math.floorMod(secs, 86_400L);
    // civil_from_days (H. Hinnant): days since 1970-01-01 -> year, month, day in the proleptic Gregorian calendar
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder sb = new StringBuilder(30);
    pad(sb, year, 4).append('-');
    pad(sb, month, 2).append('-');
    pad(sb, day, 2).append('T');
    pad(sb, sod / 3600, 2).append(':');
    pad(sb, sod / 60 % 60, 2).append(':');
    pad(sb, sod % 60, 2).append('.');
    pad(sb, nanos, 9).append('Z');
    return sb.toString();
  }

  private static StringBuilder pad(StringBuilder sb, long v, int width) {
    String s = Long.toString(v);
    for (int i = s.length(); i < width; i++) sb.append('0');
    return sb.append(s);
  }
}
