package io.rpyc;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Python values that have no natural Java counterpart, so that they can cross the wire unchanged
 * when a Python peer sends them: {@code complex}, {@code slice}, {@code frozenset}, {@code
 * NotImplemented} and {@code Ellipsis}. They are immutable and travel by value in both directions.
 *
 * <p>Java code rarely needs them; they exist so that nothing a Python peer may legally send is lost
 * or rejected.
 */
public sealed interface PyValue
    permits PyValue.Complex, PyValue.Slice, PyValue.FrozenSet, PyValue.Constant {

  /** Python's {@code complex}. */
  record Complex(double real, double imag) implements PyValue {}

  /**
   * Python's {@code slice(start, stop, step)}; each part is a by-value object (usually an integer
   * or {@code null}).
   */
  record Slice(Object start, Object stop, Object step) implements PyValue {}

  /** Python's {@code frozenset}: an immutable set of by-value objects, in the peer's order. */
  record FrozenSet(Set<Object> items) implements PyValue {
    /** Copies {@code items} into an unmodifiable, insertion-ordered set. */
    public FrozenSet {
      Objects.requireNonNull(items, "items");
      items = Collections.unmodifiableSet(new LinkedHashSet<>(items));
    }
  }

  /** Python's singletons {@code NotImplemented} and {@code Ellipsis}. */
  enum Constant implements PyValue {
    /** Python's {@code NotImplemented}, e.g. the answer to a comparison that does not apply. */
    NOT_IMPLEMENTED,
    /** Python's {@code Ellipsis} ({@code ...}). */
    ELLIPSIS
  }
}
