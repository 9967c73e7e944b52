package dev.ddsls.analysis.profile;

/** Byte-prefix checks for the magic numbers of profile formats and compressions. */
final class Magic {
  private Magic() {}

  static boolean startsWith(byte[] d, int off, int... magic) {
    if (d.length - off < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((d[off + i] & 0xff) != magic[i]) return false;
    return true;
  }
}
