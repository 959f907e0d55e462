package io.rpyc;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable, ordered sequence of values: the Java face of a Python {@code tuple}.
 *
 * <p>Tuples are how RPyC structures every message, and they travel <em>by value</em> when every
 * element does (see {@code docs/values.md}); a tuple holding a by-reference element travels as a
 * tuple of individually boxed items, as in RPyC. A {@code tuple} sent by a Python peer arrives as a
 * {@code Tuple}.
 *
 * <p>A {@code Tuple} is a read-only {@link java.util.List}: {@code equals} and {@code hashCode}
 * follow the {@code List} contract, and every mutator throws {@link UnsupportedOperationException}.
 * Instances are immutable and therefore thread-safe (the elements themselves may not be).
 *
 * <pre>{@code
 * Tuple point = Tuple.of(3, 4);
 * int x = (Integer) point.get(0);
 * }</pre>
 */
public final class Tuple extends AbstractList<Object> implements RandomAccess {
  private static final Tuple EMPTY = new Tuple(new Object[0]);

  static {
    io.rpyc.internal.codec.Tuples.install(Tuple::new); // rpyc-java's decoder skips the copy
  }

  private final Object[] items;

  private Tuple(Object[] items) {
    this.items = items;
  }

  /** Returns the empty tuple. */
  public static Tuple of() {
    return EMPTY;
  }

  /** Returns a tuple of the given items, copied; {@code null} items are allowed. */
  public static Tuple of(Object... items) {
    Objects.requireNonNull(items, "items");
    return items.length == 0 ? EMPTY : new Tuple(items.clone());
  }

  /** Returns a tuple holding the elements of {@code items} in iteration order. */
  public static Tuple copyOf(Collection<?> items) {
    if (items instanceof Tuple) {
      return (Tuple) items;
    }
    Object[] array = items.toArray();
    return array.length == 0 ? EMPTY : new Tuple(array);
  }

  @Override
  public Object get(int index) {
    Objects.checkIndex(index, items.length);
    return items[index];
  }

  @Override
  public int size() {
    return items.length;
  }

  @Override
  public Object[] toArray() {
    return items.clone();
  }

  /** Python's {@code repr} of a tuple: {@code (1, 'a')}, {@code (1,)}, {@code ()}. */
  @Override
  public String toString() {
    if (items.length == 1) {
      return "(" + items[0] + ",)";
    }
    String joined = Arrays.toString(items);
    return "(" + joined.substring(1, joined.length() - 1) + ")";
  }
}
