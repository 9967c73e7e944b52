package dev.ddsls.formats.pprof;

/**
 * Field numbers of pprof's {@code profile.proto} (github.com/google/pprof, proto/profile.proto): the one place they
 * are spelled, for the builder that writes profiles and every reader of them.
 */
public final class Pprof {
  private Pprof() {}

  public static final int PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_MAPPING = 3, PROFILE_LOCATION = 4,
      PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_DROP_FRAMES = 7, PROFILE_KEEP_FRAMES = 8,
      PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS = 10, PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12,
      PROFILE_COMMENT = 13, PROFILE_DEFAULT_SAMPLE_TYPE = 14;
  public static final int VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2;
  public static final int SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3;
  public static final int LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3, LABEL_NUM_UNIT = 4;
  public static final int MAPPING_ID = 1, MAPPING_HAS_FUNCTIONS = 7, MAPPING_HAS_FILENAMES = 8, MAPPING_HAS_LINE_NUMBERS = 9;
  public static final int LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_ADDRESS = 3, LOCATION_LINE = 4;
  public static final int LINE_FUNCTION_ID = 1, LINE_LINE = 2;
  public static final int FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4;
}
