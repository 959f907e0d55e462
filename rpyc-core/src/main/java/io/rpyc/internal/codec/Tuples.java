package io.rpyc.internal.codec;

import io.rpyc.Tuple;
import java.util.function.Function;

/**
 * Makes a {@link Tuple} of an array without the copy {@link Tuple#of(Object...)} takes, for
 * rpyc-java's own code: the decoder and the unboxing of messages build an array, wrap it and never
 * touch it again. Each request holds a dozen small tuples, so the copies were a fifth of what a
 * server allocated per call.
 *
 * <p>{@link Tuple} hands over its wrapping constructor when it is initialized, which this class's
 * initializer forces first: nothing else can install one.
 */
public final class Tuples {
  private static volatile Function<Object[], Tuple> wrapper;

  static {
    Tuple.of(); // initializes Tuple, which installs its wrapper
  }

  private Tuples() {}

  /** Called once, by {@link Tuple}'s initializer. */
  public static synchronized void install(Function<Object[], Tuple> w) {
    if (wrapper != null) {
      throw new IllegalStateException("Tuple's wrapper is installed already");
    }
    wrapper = w;
  }

  /** A tuple of {@code items} itself, which the caller must never change afterwards. */
  public static Tuple wrap(Object[] items) {
    return items.length == 0 ? Tuple.of() : wrapper.apply(items);
  }
}
