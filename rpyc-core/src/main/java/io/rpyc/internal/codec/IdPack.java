package io.rpyc.internal.codec;

import java.util.Objects;

/**
 * RPyC's name for a remote object: {@code (name_pack, class_id, instance_id)}, built by the side
 * that owns the object and treated as an opaque key by the other. {@code instanceId == 0} names a
 * class. Encoded as a plain brine 3-tuple.
 */
public record IdPack(String name, long classId, long instanceId) {
  public IdPack {
    Objects.requireNonNull(name, "name");
  }

  /** Whether this names a class rather than an instance. */
  public boolean isClass() {
    return instanceId == 0;
  }
}
