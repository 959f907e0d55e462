package io.rpyc.internal.codec;

import java.util.Comparator;
import java.util.Objects;

/**
 * RPyC's name for a remote object: {@code (name_pack, class_id, instance_id)}, built by the side
 * that owns the object and treated as an opaque key by the other. {@code instanceId == 0} names a
 * class. Encoded as a plain brine 3-tuple.
 *
 * <p>Comparable, because id_packs chosen by a peer key hash tables (the import table): with an
 * order, a bin of colliding hash codes becomes a balanced tree instead of a list, so a peer cannot
 * make each lookup linear.
 */
public record IdPack(String name, long classId, long instanceId) implements Comparable<IdPack> {
  private static final Comparator<IdPack> ORDER =
      Comparator.comparingLong(IdPack::classId)
          .thenComparingLong(IdPack::instanceId)
          .thenComparing(IdPack::name);

  public IdPack {
    Objects.requireNonNull(name, "name");
  }

  @Override
  public int compareTo(IdPack other) {
    return ORDER.compare(this, other);
  }

  /** Whether this names a class rather than an instance. */
  public boolean isClass() {
    return instanceId == 0;
  }
}
