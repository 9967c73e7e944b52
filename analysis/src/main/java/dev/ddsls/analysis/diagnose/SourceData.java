package dev.ddsls.analysis.diagnose;

import dev.ddsls.analysis.coldstart.PlatformReport;
import dev.ddsls.analysis.pprof.ProfileInput;
import dev.ddsls.analysis.priming.ClassList;
import dev.ddsls.analysis.trace.Span;
import dev.ddsls.analysis.trace.XRaySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a source delivered for one query. Mutable while a source fills it. */
public final class SourceData {
  public final List<Span> spans = new ArrayList<>();
  public final List<ProfileInput> profiles = new ArrayList<>();
  public final List<PlatformReport> platformReports = new ArrayList<>();
  public final List<XRaySegment> xraySegments = new ArrayList<>();
  /** Deployment packages by handler, where the source names them (coldstart's results.json): they tell own code. */
  public final Map<String, Path> deploymentPackages = new LinkedHashMap<>();
  /** The agent's lists of the classes first invocations loaded (priming candidates), oldest first. */
  public final List<ClassList> classLists = new ArrayList<>();
  /** Things the reader should know about the data (e.g. where profiles came from). */
  public final List<String> notes = new ArrayList<>();
}
