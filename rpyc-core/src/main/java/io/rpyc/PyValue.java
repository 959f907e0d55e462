package io.rpyc;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
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
      if (!(items instanceof AsSent)) {
        items = Collections.unmodifiableSet(new LinkedHashSet<>(items));
      }
    }

    /**
     * A frozenset of {@code items} in their order, taken as distinct without hashing them: how a
     * received frozenset is decoded, so that a peer choosing items with colliding hash codes cannot
     * make decoding take quadratic time. Lookups in it are linear.
     */
    public static FrozenSet ofDistinct(List<?> items) {
      return new FrozenSet(new AsSent(items.toArray()));
    }

    /** An unmodifiable set view of items that are never hashed. */
    private static final class AsSent extends AbstractSet<Object> {
      private final List<Object> items;

      AsSent(Object[] items) {
        this.items = Collections.unmodifiableList(Arrays.asList(items));
      }

      @Override
      public Iterator<Object> iterator() {
        return items.iterator();
      }

      @Override
      public int size() {
        return items.size();
      }

      @Override
      public boolean contains(Object o) {
        return items.contains(o);
      }
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
