package io.rpyc.internal.protocol;

import java.util.Set;

/**
 * RPyC's {@code restricted(obj, attrs, wattrs)}: a view of an object through which the peer may
 * read only {@code readable} and assign only {@code writable} names, whatever the connection's
 * access flags say. Calls on what those names return are not restricted further.
 */
public final class Restricted {
  private final Object target;
  private final Set<String> readable;
  private final Set<String> writable;

  public Restricted(Object target, Set<String> readable, Set<String> writable) {
    this.target = target;
    this.readable = Set.copyOf(readable);
    this.writable = Set.copyOf(writable);
  }

  Object target() {
    return target;
  }

  boolean mayRead(String name) {
    return readable.contains(name);
  }

  boolean mayWrite(String name) {
    return writable.contains(name);
  }

  @Override
  public String toString() {
    return "restricted(" + target + ", " + readable + ")";
  }
}
