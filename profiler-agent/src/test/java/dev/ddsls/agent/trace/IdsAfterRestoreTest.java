package dev.ddsls.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every restored copy of a SnapStart snapshot starts with the id generator's state as the snapshot holds it: without
 * a reseed, every copy makes the same ids. After {@link Invocation#reseedIds()} (what the agent does at the restore)
 * no copy follows the snapshot's sequence, nor another copy's.
 */
class IdsAfterRestoreTest {
  static final long SNAPSHOT_STATE = 0x1234_5678_9ABC_DEF0L;

  static Set<Long> next(int n) {
    Set<Long> out = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      long id = Ids.newId();
      assertTrue(id > 0);
      out.add(id);
    }
    return out;
  }

  @Test
  void idsAfterARestoreDoNotFollowTheSnapshotsSequence() {
    Ids.seed(SNAPSHOT_STATE);
    Set<Long> snapshotSequence = next(1000);
    Ids.seed(SNAPSHOT_STATE);
    assertEquals(snapshotSequence, next(1000), "the same state makes the same ids: what every copy would send");

    Ids.seed(SNAPSHOT_STATE);
    Invocation.reseedIds();
    Set<Long> copyA = next(1000);
    Ids.seed(SNAPSHOT_STATE);
    Invocation.reseedIds();
    Set<Long> copyB = next(1000);

    Set<Long> overlap = new HashSet<>(copyA);
    overlap.retainAll(snapshotSequence);
    assertTrue(overlap.isEmpty(), "copy A repeats ids of the snapshot's sequence: " + overlap);
    overlap = new HashSet<>(copyB);
    overlap.retainAll(snapshotSequence);
    assertTrue(overlap.isEmpty(), "copy B repeats ids of the snapshot's sequence: " + overlap);
    overlap = new HashSet<>(copyA);
    overlap.retainAll(copyB);
    assertTrue(overlap.isEmpty(), "two restored copies share ids: " + overlap);
  }

  @Test
  void eachRestoredCopyIsARuntimeOfItsOwn() {
    String snapshot = Invocation.runtimeId();
    Invocation.reseedIds();
    String copyA = Invocation.runtimeId();
    Invocation.reseedIds();
    String copyB = Invocation.runtimeId();
    assertTrue(copyA.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), copyA);
    assertEquals(3, new HashSet<>(List.of(snapshot, copyA, copyB)).size(), "the runtime id is renewed at every restore");
  }

  @Test
  void freshSeedsComeFromTheKernel() {
    Set<Long> seeds = new HashSet<>();
    for (int i = 0; i < 50; i++) seeds.add(Ids.freshSeed());
    assertEquals(50, seeds.size());
  }
}
