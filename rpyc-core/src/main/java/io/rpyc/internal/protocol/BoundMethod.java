package io.rpyc.internal.protocol;

import java.lang.reflect.Executable;
import java.util.List;

/**
 * A method looked up by GETATTR, waiting to be called by CALL: the receiver, the name, and the
 * overloads the access rules allowed (or a Python protocol name, for {@code __len__} and friends).
 * Exported as {@code builtins.method}, which Python peers proxy without an INSPECT.
 */
final class BoundMethod {
  static final String NAME_PACK = "builtins.method";

  final Object receiver;
  final String name;
  final List<? extends Executable> candidates;
  final boolean dunder;

  BoundMethod(Object receiver, String name, List<? extends Executable> candidates, boolean dunder) {
    this.receiver = receiver;
    this.name = name;
    this.candidates = candidates;
    this.dunder = dunder;
  }

  @Override
  public String toString() {
    return "<bound method " + name + " of " + Dunders.repr(receiver) + ">";
  }
}
