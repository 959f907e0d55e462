package io.rpyc.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Endpoint;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RegistryTable} on a fake clock. */
class RegistryTableTest {
  private static final long PRUNING = TimeUnit.SECONDS.toNanos(240);

  private long now = 1_000;
  private final RegistryTable table = new RegistryTable(PRUNING, () -> now, 10);

  @Test
  void names_areUpperCased_andEveryAliasFindsTheServer() {
    table.register(List.of("calc", "Calculator"), "10.0.0.1", 18861);
    assertEquals(List.of(new Endpoint("10.0.0.1", 18861)), table.query("CALC"));
    assertEquals(List.of(new Endpoint("10.0.0.1", 18861)), table.query("calculator"));
    assertEquals(List.of(), table.query("other"));
  }

  @Test
  void query_listsTheLeastRecentlyRefreshedFirst() {
    table.register(List.of("CALC"), "10.0.0.1", 1);
    now += 10;
    table.register(List.of("CALC"), "10.0.0.2", 2);
    now += 10;
    table.register(List.of("CALC"), "10.0.0.1", 1); // refreshed: now the most recent
    assertEquals(
        List.of(new Endpoint("10.0.0.2", 2), new Endpoint("10.0.0.1", 1)), table.query("CALC"));
  }

  @Test
  void entries_expireAfterThePruningTimeout_unlessRefreshed() {
    table.register(List.of("CALC"), "10.0.0.1", 1);
    table.register(List.of("CALC"), "10.0.0.2", 2);
    now += PRUNING;
    table.register(List.of("CALC"), "10.0.0.2", 2);
    assertEquals(2, table.query("CALC").size(), "exactly the timeout is not yet expired");
    now += 1;
    assertEquals(List.of(new Endpoint("10.0.0.2", 2)), table.query("CALC"));
    assertEquals(1, table.size());
  }

  @Test
  void prune_dropsExpiredEntriesOfNamesNobodyQueries() {
    table.register(List.of("A", "B"), "10.0.0.1", 1);
    now += PRUNING + 1;
    table.prune();
    assertEquals(0, table.size());
    assertEquals(List.of(), table.list(null));
  }

  @Test
  void unregister_removesTheServerFromEveryName() {
    table.register(List.of("A", "B"), "10.0.0.1", 1);
    table.register(List.of("A"), "10.0.0.2", 1);
    table.unregister("10.0.0.1", 1);
    assertEquals(List.of(new Endpoint("10.0.0.2", 1)), table.query("A"));
    assertEquals(List.of(), table.query("B"));
    assertEquals(List.of("A"), table.list(null));
  }

  @Test
  void list_filtersByHost_inOrderOfFirstRegistration() {
    table.register(List.of("B"), "10.0.0.1", 1);
    table.register(List.of("A"), "10.0.0.2", 1);
    table.register(List.of("C"), "10.0.0.1", 2);
    assertEquals(List.of("B", "A", "C"), table.list(null));
    assertEquals(List.of("B", "C"), table.list("10.0.0.1"));
  }

  @Test
  void aFullTable_refusesNewEntries_butStillRefreshesKnownOnes() {
    for (int i = 0; i < 10; i++) {
      assertTrue(table.register(List.of("S" + i), "10.0.0.1", 1));
    }
    assertFalse(table.register(List.of("NEW"), "10.0.0.1", 1));
    assertTrue(table.register(List.of("S3"), "10.0.0.1", 1));
    now += PRUNING + 1;
    assertTrue(table.register(List.of("NEW"), "10.0.0.1", 1), "expired entries make room");
  }
}
