package dev.ddsls.cli.coldstart;

import dev.ddsls.cli.CacheDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Packages unpacked once per content, shared by every {@code ddsls coldstart} of the machine: a real function's
 * package has some 12,000 files, and creating them took 1.4 s of CPU on a quiet disk and 10 s on one whose inodes had
 * just been freed by the thousand (docs/benchmarks.md), before the first JVM starts, each time. Lambda unpacks a
 * version's package once too. An entry is {@code <size>-<crc32c>-<crc32>} of the package's bytes: 64 bits of checksum
 * in some 20 ms of an 18 MB jar, where SHA-256 took 200 ms with the C1 compiler. The {@link #KEEP} most recently used
 * entries are kept; an entry in use by a process (until it exits) is never removed.
 */
final class TaskRootCache {
  static final int KEEP = 16;
  private static final String PART = ".part-";
  private static final String LOCK = ".lock";
  /**
   * The bytes of an entry's lock file locked: the first by the one process that unpacks it (the others wait for it),
   * the second shared by every process that uses it and exclusively by one that removes it.
   */
  private static final long UNPACKING = 0, IN_USE = 1;
  /** Entries this JVM holds (a shared lock each, until it exits): an A/B of one package asks twice. */
  private static final Map<Path, FileChannel> HELD = new HashMap<>();

  private final Path root;
  private final int keep;

  TaskRootCache(Path root, int keep) {
    this.root = root;
    this.keep = keep;
  }

  /** {@code task-roots} in ddsls's {@link CacheDir}. */
  static TaskRootCache ofEnvironment(Map<String, String> env) {
    return new TaskRootCache(CacheDir.of(env).resolve("task-roots"), KEEP);
  }

  /**
   * The unpacked package, unpacked now if no process did before; other processes asking for it meanwhile wait for
   * this one. Held (shared lock) until this JVM exits. Usage errors of the package ({@link TaskRoot#unpackInto}) are
   * thrown as they are; an IOException means the cache cannot serve, and the caller unpacks without it.
   */
  Path get(Path pkg) throws IOException {
    synchronized (HELD) {
      Files.createDirectories(root);
      String key = key(pkg);
      Path entry = root.resolve(key);
      if (HELD.containsKey(entry)) {
        // This JVM's lock is on it: a second lock through another channel would overlap it, and closing that channel
        // would drop the first. A copy removed meanwhile (by hand) is left to the caller to unpack without the cache.
        if (Files.isDirectory(entry)) return entry;
        throw new IOException(entry + " was removed while in use");
      }
      FileChannel lock = FileChannel.open(root.resolve(key + LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try (FileLock unpacking = lock.lock(UNPACKING, 1, false)) {
        lock.lock(IN_USE, 1, true); // before looking: an eviction that began before it is over, none begins after
        if (!Files.isDirectory(entry)) unpack(pkg, entry);
        Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
      } catch (IOException | RuntimeException e) {
        lock.close();
        throw e;
      }
      HELD.put(entry, lock);
      evict();
      return entry;
    }
  }

  private void unpack(Path pkg, Path entry) throws IOException {
    Path part = root.resolve(entry.getFileName() + PART + ProcessHandle.current().pid());
    try {
      TaskRoot.deleteTree(part); // left by an earlier process of the same pid
      TaskRoot.unpackInto(pkg, part);
      Files.move(part, entry, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // another process unpacked it under a lock file that was removed and made again: its copy serves
      if (!Files.isDirectory(entry)) throw e;
    } finally {
      TaskRoot.deleteTree(part);
    }
  }

  /** Removes the entries after the {@link #keep} most recently used that no process holds, and abandoned parts. */
  private void evict() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(root)) {
      for (Path p : all) {
        String name = p.getFileName().toString();
        if (name.contains(PART)) {
          if (abandoned(name)) TaskRoot.deleteTree(p);
        } else if (!name.endsWith(LOCK) && Files.isDirectory(p)) {
          entries.add(p);
        }
      }
    }
    entries.sort(Comparator.comparing(TaskRootCache::lastUsed).reversed());
    for (Path old : entries.subList(Math.min(keep, entries.size()), entries.size())) {
      if (HELD.containsKey(old)) continue;
      Path lockFile = root.resolve(old.getFileName() + LOCK);
      try (FileChannel c = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock l = c.tryLock(IN_USE, 1, false)) {
        if (l == null) continue; // in use
        TaskRoot.deleteTree(old);
        Files.deleteIfExists(lockFile);
      } catch (OverlappingFileLockException e) {
        // held by this JVM through another channel
      }
    }
  }

  /** A part whose unpacking process is gone (killed while it unpacked). */
  private static boolean abandoned(String part) {
    try {
      return ProcessHandle.of(Long.parseLong(part.substring(part.indexOf(PART) + PART.length()))).isEmpty();
    } catch (NumberFormatException e) {
      return false; // not one of ours
    }
  }

  private static FileTime lastUsed(Path entry) {
    try {
      return Files.getLastModifiedTime(entry);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /** The package's size and two checksums of its bytes, CRC-32C and CRC-32 (both intrinsics of the JVM). */
  static String key(Path pkg) throws IOException {
    CRC32C c = new CRC32C();
    CRC32 d = new CRC32();
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(pkg)) {
      for (int n; (n = in.read(buf)) > 0; size += n) {
        c.update(buf, 0, n);
        d.update(buf, 0, n);
      }
    }
    return String.format(Locale.ROOT, "%d-%08x-%08x", size, c.getValue(), d.getValue());
  }
}
