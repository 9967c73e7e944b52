package dev.ddsls.analysis.pprof;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Which Java frames are the function's own code. Best decided from the deployment package: the packages of its
 * classes that no bundled dependency brought. The Lambda zip layout keeps dependencies in {@code lib/}, so every
 * class at its root is the function's. A shaded jar keeps each Maven-built dependency's {@code META-INF/maven/G/A/}
 * (its classes lie under its group id's root), but dependencies built otherwise leave no trace (reactive-streams in
 * the AWS SDK); there own code is also kept to the handler's organisation (the first two segments of its package).
 * Without the package, the handler's package stands in. Never a native symbol, the JDK, the runtime
 * interface client or a profiling agent: {@link FrameKind} rules those out first.
 */
public final class OwnCode {
  /** Nothing known: any Java frame outside the known library roots counts as own. */
  public static final OwnCode UNKNOWN = new OwnCode(Set.of(), null, "unknown");

  /** The most class entries read from a deployment package (a 250 MB unzipped Lambda package holds far fewer). */
  static final int MAX_ENTRIES = 500_000;

  private final Set<String> packages; // exact packages of own classes, from a deployment package
  private final String root;          // the handler's package, own with its sub-packages; null when unknown
  private final String rootDot;       // root + "." (owns() runs for every frame of every sample: no string built there)
  private final String source;

  private OwnCode(Set<String> packages, String root, String source) {
    this.packages = packages;
    this.root = root;
    this.rootDot = root == null ? null : root + ".";
    this.source = source;
  }

  /** Own code is the handler's package and its sub-packages ({@code pkg.Class::method}); unknown without a package. */
  public static OwnCode ofHandler(String handler) {
    String pkg = FrameKind.handlerPackage(handler);
    return pkg == null ? UNKNOWN : new OwnCode(Set.of(), pkg, "the handler's package " + pkg);
  }

  /**
   * Own code read from a deployment package: a jar or zip, or an unpacked task root. The handler's package (when
   * given) is always own, and so is the group id that contains it, even when the function's own {@code pom.properties}
   * is among the dependencies'.
   *
   * @throws IOException when the package cannot be read, naming it
   */
  public static OwnCode ofDeployment(Path path, String handler) throws IOException {
    String handlerPkg = FrameKind.handlerPackage(handler);
    Contents contents = new Contents();
    if (Files.isDirectory(path)) {
      readDirectory(path, contents);
    } else if (Files.isRegularFile(path)) {
      readArchive(path, contents);
    } else {
      throw new IOException(path + ": no such file or directory");
    }
    List<String> dependencyRoots = new ArrayList<>();
    for (String g : contents.groups) {
      String root = dependencyRoot(g);
      if (handlerPkg != null && (handlerPkg + ".").startsWith(root)) continue; // the function's own artifact
      dependencyRoots.add(root);
    }
    String organisation = handlerPkg == null || contents.libLayout ? null : organisation(handlerPkg);
    Set<String> own = new TreeSet<>();
    for (String pkg : contents.classPackages) {
      String dot = pkg + ".";
      boolean handlers = handlerPkg != null && under(pkg, handlerPkg);
      if (!handlers && (FrameKind.isKnownRoot(dot) || isUnderAny(dot, dependencyRoots))) continue;
      if (!handlers && organisation != null && !under(pkg, organisation)) continue;
      own.add(pkg);
    }
    if (own.isEmpty() && handlerPkg == null) return UNKNOWN;
    return new OwnCode(Set.copyOf(own), handlerPkg, String.format(Locale.ROOT, "%s: %d own package%s, %d dependenc%s",
        path.getFileName(), own.size(), own.size() == 1 ? "" : "s", dependencyRoots.size(), dependencyRoots.size() == 1 ? "y" : "ies"));
  }

  /** Whether anything narrows own code (else every Java frame outside known roots counts). */
  public boolean known() { return root != null || !packages.isEmpty(); }

  /** Whether a Java frame ({@code pkg.Class.method}) is the function's own code. */
  public boolean owns(String frame) {
    if (!known()) return !FrameKind.isKnownRoot(frame);
    if (rootDot != null && frame.startsWith(rootDot)) return true;
    return packages.contains(packageOf(frame));
  }

  /** The own packages read from a deployment package (empty when own code is the handler's package). */
  public Set<String> packages() { return packages; }

  /** Where the answer came from, for a report's notes. */
  public String describe() { return source; }

  @Override public String toString() { return describe(); }

  /** {@code a.b.C$D.m} -> {@code a.b}; "" for a class in the default package. */
  static String packageOf(String frame) {
    String name = FrameKind.stripLambdaSuffix(frame);
    int methodDot = name.lastIndexOf('.');
    if (methodDot <= 0) return "";
    int classDot = name.lastIndexOf('.', methodDot - 1);
    return classDot <= 0 ? "" : name.substring(0, classDot);
  }

  /** Opens one entry's bytes, only when they are needed (pom.properties). */
  private interface Opener {
    InputStream open() throws IOException;
  }

  /** What a deployment package holds: its classes' packages, the groups of the Maven dependencies, a lib/ of jars. */
  private static final class Contents {
    final Set<String> classPackages = new TreeSet<>();
    final Set<String> groups = new TreeSet<>();
    boolean libLayout;
    private int entries;

    void add(Path where, String name, Opener opener) throws IOException {
      if (++entries > MAX_ENTRIES) throw new IOException(where + ": more than " + MAX_ENTRIES + " entries");
      if (name.startsWith("lib/")) { // the Lambda zip layout: dependencies are jars in lib/
        libLayout |= name.endsWith(".jar");
      } else if (isPomProperties(name)) {
        try (InputStream in = opener.open()) {
          addGroup(in, name, groups);
        }
      } else {
        addClass(name, classPackages);
      }
    }
  }

  private static void readArchive(Path path, Contents into) throws IOException {
    try (ZipFile zip = new ZipFile(path.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        into.add(path, entry.getName(), () -> zip.getInputStream(entry));
      }
    } catch (ZipException e) {
      throw new IOException(path + ": not a jar or zip (" + e.getMessage() + ")", e);
    }
  }

  private static void readDirectory(Path dir, Contents into) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) into.add(dir, dir.relativize(f).toString().replace('\\', '/'), () -> Files.newInputStream(f));
      }
    }
  }

  private static boolean isPomProperties(String name) {
    return name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties");
  }

  /** The group id of a {@code META-INF/maven/G/A/pom.properties}, from its text, else from its path. */
  private static void addGroup(InputStream in, String name, Set<String> groups) throws IOException {
    Properties p = new Properties();
    p.load(in);
    String g = p.getProperty("groupId");
    if (g == null) {
      String[] parts = name.split("/");
      if (parts.length >= 5) g = parts[2];
    }
    if (g != null && !g.isBlank()) groups.add(g.trim());
  }

  private static void addClass(String name, Set<String> classPackages) {
    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) return;
    int slash = name.lastIndexOf('/');
    if (slash <= 0) return; // the default package is nobody's package root
    classPackages.add(name.substring(0, slash).replace('/', '.'));
  }

  /**
   * The package root a dependency's group id stands for. Group ids name an organisation and a project
   * ({@code org.apache.httpcomponents} ships {@code org.apache.http}, {@code software.amazon.awssdk} ships
   * {@code software.amazon.awssdk} and {@code software.amazon.eventstream}): the first two segments cover both.
   */
  static String dependencyRoot(String group) {
    String[] s = group.split("\\.");
    // Hosting groups (io.github.USER) name the owner in the third segment.
    int keep = s.length >= 3 && HOSTS.contains(s[0] + "." + s[1]) ? 3 : Math.min(2, s.length);
    return String.join(".", Arrays.copyOf(s, keep)) + ".";
  }

  private static final Set<String> HOSTS = Set.of("com.github", "io.github", "com.gitlab", "io.gitlab", "org.bitbucket");

  /** {@code com.acme.orders.lambda} -> {@code com.acme}; a one-segment package stays itself. */
  static String organisation(String pkg) {
    String[] s = pkg.split("\\.");
    return s.length >= 2 ? s[0] + "." + s[1] : pkg;
  }

  private static boolean under(String pkg, String root) { return pkg.equals(root) || pkg.startsWith(root + "."); }

  private static boolean isUnderAny(String pkgDot, List<String> roots) {
    for (String r : roots) {
      if (pkgDot.startsWith(r)) return true;
    }
    return false;
  }
}
