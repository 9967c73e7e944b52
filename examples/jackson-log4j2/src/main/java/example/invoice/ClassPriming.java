package example.invoice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Class priming in a {@code beforeCheckpoint} hook, as Powertools' {@code ClassPreLoader} does it: every class named in
 * the file {@code PRIMING_CLASSES} (a {@code classesloaded.txt}, as {@code ddsls diagnose --priming} writes it: one
 * class name a line, {@code #} comments) is loaded and initialised before the snapshot, so restored copies do not pay
 * for it in their first invocation. A class that cannot be loaded is skipped.
 */
final class ClassPriming implements Resource {
  /** Held here: a context may keep its resources only weakly. */
  private static final ClassPriming INSTANCE = new ClassPriming();

  private ClassPriming() {}

  static void register() {
    Core.getGlobalContext().register(INSTANCE);
  }

  @Override public void beforeCheckpoint(Context<? extends Resource> context) throws IOException {
    String file = System.getenv("PRIMING_CLASSES");
    if (file == null || file.isBlank()) return;
    int loaded = 0, skipped = 0;
    ClassLoader loader = ClassPriming.class.getClassLoader();
    for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) continue;
      try {
        Class.forName(name, true, loader);
        loaded++;
      } catch (Throwable t) { // a class of another version, or one whose initialiser needs the request: not primed
        skipped++;
      }
    }
    System.out.println("class priming: " + loaded + " classes loaded from " + file + (skipped > 0 ? ", " + skipped + " skipped" : ""));
  }

  @Override public void afterRestore(Context<? extends Resource> context) {}
}
