package io.rpyc.registry;

import io.rpyc.Endpoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The registry's state: for each service name (upper-cased), the servers offering it and when each
 * last (re)registered. Entries older than the pruning timeout are dropped when their name is
 * queried (as RPyC does) and by periodic sweeps (which RPyC lacks, so that names nobody queries do
 * not pile up). Thread-safe: UDP and TCP requests arrive on I/O threads; every method is short and
 * in memory.
 */
final class RegistryTable {
  private final long pruningNanos;
  private final LongSupplier nanoClock;
  private final int maxEntries;

  /** Per name, servers in order of their last registration: oldest first, as QUERY replies. */
  private final Map<String, LinkedHashMap<Endpoint, Long>> services = new LinkedHashMap<>();

  private int entries;

  /**
   * @param pruningNanos how long an entry lives without a refresh
   * @param nanoClock the time source, {@link System#nanoTime} but in tests
   * @param maxEntries the most (name, server) entries kept; further registrations are refused, so
   *     that a flood of REGISTER datagrams cannot exhaust memory
   */
  RegistryTable(long pruningNanos, LongSupplier nanoClock, int maxEntries) {
    this.pruningNanos = pruningNanos;
    this.nanoClock = nanoClock;
    this.maxEntries = maxEntries;
  }

  /**
   * Registers {@code host:port} under every name, or refreshes it.
   *
   * @return false if the table is full (nothing is registered then)
   */
  synchronized boolean register(List<String> names, String host, int port) {
    Endpoint endpoint = new Endpoint(host, port);
    long now = nanoClock.getAsLong();
    int added = 0;
    for (String name : names) {
      Map<Endpoint, ?> known = services.get(key(name));
      if (known == null || !known.containsKey(endpoint)) {
        added++;
      }
    }
    if (added > 0 && entries + added > maxEntries) {
      pruneAll(now);
      if (entries + added > maxEntries) {
        return false;
      }
    }
    for (String name : names) {
      LinkedHashMap<Endpoint, Long> servers =
          services.computeIfAbsent(key(name), k -> new LinkedHashMap<>());
      // Re-inserting moves the server to the end: the map stays ordered by refresh time.
      if (servers.remove(endpoint) == null) {
        entries++;
      }
      servers.put(endpoint, now);
    }
    return true;
  }

  /** Removes {@code host:port} from every name. */
  synchronized void unregister(String host, int port) {
    Endpoint endpoint = new Endpoint(host, port);
    for (Iterator<LinkedHashMap<Endpoint, Long>> it = services.values().iterator();
        it.hasNext(); ) {
      LinkedHashMap<Endpoint, Long> servers = it.next();
      if (servers.remove(endpoint) != null) {
        entries--;
      }
      if (servers.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The live servers for {@code name}, least recently refreshed first. */
  synchronized List<Endpoint> query(String name) {
    String key = key(name);
    LinkedHashMap<Endpoint, Long> servers = services.get(key);
    if (servers == null) {
      return List.of();
    }
    prune(servers, nanoClock.getAsLong());
    if (servers.isEmpty()) {
      services.remove(key);
      return List.of();
    }
    return List.copyOf(servers.keySet());
  }

  /**
   * The names with a live server, in order of first registration; with {@code filterHost}, only
   * those with a server on that host.
   */
  synchronized List<String> list(String filterHost) {
    pruneAll(nanoClock.getAsLong());
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, LinkedHashMap<Endpoint, Long>> e : services.entrySet()) {
      if (filterHost == null
          || e.getValue().keySet().stream().anyMatch(s -> s.host().equals(filterHost))) {
        names.add(e.getKey());
      }
    }
    return names;
  }

  /** Drops every expired entry. */
  synchronized void prune() {
    pruneAll(nanoClock.getAsLong());
  }

  /** The number of (name, server) entries, expired ones included until pruned. */
  synchronized int size() {
    return entries;
  }

  private void pruneAll(long now) {
    for (Iterator<LinkedHashMap<Endpoint, Long>> it = services.values().iterator();
        it.hasNext(); ) {
      LinkedHashMap<Endpoint, Long> servers = it.next();
      prune(servers, now);
      if (servers.isEmpty()) {
        it.remove();
      }
    }
  }

  private void prune(LinkedHashMap<Endpoint, Long> servers, long now) {
    // Oldest first: stop at the first live entry.
    for (Iterator<Long> it = servers.values().iterator(); it.hasNext(); ) {
      if (now - it.next() <= pruningNanos) {
        break;
      }
      it.remove();
      entries--;
    }
  }

  private static String key(String name) {
    return name.toUpperCase(Locale.ROOT);
  }
}
