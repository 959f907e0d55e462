package io.rpyc.internal.protocol;

import io.rpyc.internal.codec.IdPack;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local objects the peer holds references to, with RPyC's refcounts (spec §11.3): the first
 * export of an object records count 0 ("one reference outstanding"), each further export adds 1,
 * and a {@code DEL(n)} removes the entry once {@code count < n}. Holds the objects strongly; the
 * root is pinned and never removed. Lookups by id are lock-free; exports and releases take the
 * table's lock (never held across I/O or user code).
 *
 * <p>Ids are per connection: instance ids count up from 1, so a peer can only ever name objects
 * that were exported to it on this connection.
 */
final class ExportTable {
  private static final AtomicLong CLASS_IDS = new AtomicLong();
  private static final ClassValue<Long> CLASS_ID =
      new ClassValue<>() {
        @Override
        protected Long computeValue(Class<?> type) {
          return CLASS_IDS.incrementAndGet();
        }
      };

  private final Map<Object, Entry> byObject = new IdentityHashMap<>();
  private final ConcurrentHashMap<Long, Entry> byInstance = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Entry> byClass = new ConcurrentHashMap<>();
  private long nextInstanceId = 1;

  private static final class Entry {
    final Object object;
    final IdPack id;
    final boolean pinned;
    long count;

    Entry(Object object, IdPack id, boolean pinned) {
      this.object = object;
      this.id = id;
      this.pinned = pinned;
    }
  }

  /** Exports {@code object} (or counts one more reference to it) and returns its id. */
  IdPack export(Object object) {
    return export(object, false);
  }

  /** Exports the root, which no DEL removes. */
  IdPack pin(Object object) {
    return export(object, true);
  }

  private synchronized IdPack export(Object object, boolean pinned) {
    Entry entry = byObject.get(object);
    if (entry != null) {
      entry.count++;
      return entry.id;
    }
    IdPack id;
    if (object instanceof Class) {
      Class<?> type = (Class<?>) object;
      id = new IdPack(type.getName(), CLASS_ID.get(type), 0);
      entry = new Entry(object, id, pinned);
      byClass.put(id.classId(), entry);
    } else {
      Class<?> type = object.getClass();
      id = new IdPack(nameOf(object), CLASS_ID.get(type), nextInstanceId++);
      entry = new Entry(object, id, pinned);
      byInstance.put(id.instanceId(), entry);
    }
    byObject.put(object, entry);
    return id;
  }

  private static String nameOf(Object object) {
    if (object instanceof BoundMethod) {
      return BoundMethod.NAME_PACK; // a Python peer then needs no INSPECT round trip
    }
    if (object instanceof Restricted) {
      return ((Restricted) object).target().getClass().getName();
    }
    return object.getClass().getName();
  }

  /** The object exported under {@code id}, or {@code null} if there is none. */
  Object lookup(IdPack id) {
    Entry entry = id.isClass() ? byClass.get(id.classId()) : byInstance.get(id.instanceId());
    return entry != null && entry.id.equals(id) ? entry.object : null;
  }

  /**
   * Applies a {@code DEL(count)}.
   *
   * @return {@code false} if nothing is exported under {@code id}
   */
  synchronized boolean release(IdPack id, long count) {
    Entry entry = id.isClass() ? byClass.get(id.classId()) : byInstance.get(id.instanceId());
    if (entry == null || !entry.id.equals(id)) {
      return false;
    }
    if (entry.pinned) {
      return true;
    }
    if (entry.count < count) {
      byObject.remove(entry.object);
      if (id.isClass()) {
        byClass.remove(id.classId());
      } else {
        byInstance.remove(id.instanceId());
      }
    } else {
      entry.count -= count;
    }
    return true;
  }

  synchronized int size() {
    return byObject.size();
  }

  synchronized void clear() {
    byObject.clear();
    byInstance.clear();
    byClass.clear();
  }
}
