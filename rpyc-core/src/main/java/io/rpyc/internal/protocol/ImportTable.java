package io.rpyc.internal.protocol;

import io.rpyc.internal.codec.IdPack;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peer's objects this side holds handles to. Each id_pack has at most one live {@link Netref};
 * each arrival of the id_pack while it lives counts one reference, and when the handle becomes
 * unreachable a {@link Cleaner} action queues one {@code DEL} carrying that count (spec §11.3). The
 * cleaner only enqueues: the DEL is encoded and written off the GC path.
 */
final class ImportTable {
  private static final Cleaner CLEANER =
      Cleaner.create(
          r -> {
            Thread t = new Thread(r, "rpyc-ref-cleaner");
            t.setDaemon(true);
            return t;
          });

  private final ProtocolConnection connection;
  private final ConcurrentHashMap<IdPack, Entry> entries = new ConcurrentHashMap<>();

  ImportTable(ProtocolConnection connection) {
    this.connection = connection;
  }

  /** The cleaner's action for one handle; holds everything but the handle itself. */
  private static final class Entry implements Runnable {
    final ImportTable table;
    final IdPack id;
    final WeakReference<Netref> ref;
    long count = 1;

    Entry(ImportTable table, IdPack id, Netref netref) {
      this.table = table;
      this.id = id;
      this.ref = new WeakReference<>(netref);
    }

    @Override
    public void run() {
      long n;
      synchronized (this) {
        n = count;
      }
      table.entries.remove(id, this);
      table.connection.queueDel(id, n);
    }
  }

  /** Returns the handle for {@code id}, creating it on first arrival; counts one reference. */
  Netref arrive(IdPack id) {
    while (true) {
      Entry existing = entries.get(id);
      if (existing != null) {
        Netref live = existing.ref.get();
        if (live != null) {
          synchronized (existing) {
            existing.count++;
          }
          return live;
        }
      }
      Netref netref = new Netref(connection, id);
      Entry entry = new Entry(this, id, netref);
      boolean installed =
          existing == null
              ? entries.putIfAbsent(id, entry) == null
              : entries.replace(id, existing, entry);
      if (installed) {
        CLEANER.register(netref, entry);
        return netref;
      }
    }
  }

  int size() {
    return entries.size();
  }

  void clear() {
    entries.clear();
  }
}
