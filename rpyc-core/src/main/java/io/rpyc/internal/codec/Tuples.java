package io.rpyc.internal.codec;

import io.rpyc.Tuple;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Makes a {@link Tuple} of an array without the copy {@link Tuple#of(Object...)} takes, for
 * rpyc-java's own code: the decoder and the unboxing of messages build an array, wrap it and never
 * touch it again. Each request holds a dozen small tuples, so the copies were a fifth of what a
 * server allocated per call.
 *
 * <p>{@link Tuple} hands over its wrapping constructor when it is initialized, and {@link #install}
 * initializes {@code Tuple} before it looks, so nothing else can install one. This class has no
 * static initializer that touches {@code Tuple}: two threads initializing one class each must not
 * wait for each other.
 */
public final class Tuples {
  private static final AtomicReference<Function<Object[], Tuple>> WRAPPER = new AtomicReference<>();

  private Tuples() {}

  /** Called once, by {@link Tuple}'s initializer; anyone else is refused. */
  public static void install(Function<Object[], Tuple> w) {
    Tuple.of(); // initializes Tuple (which installs its own) unless this is Tuple's initializer
    if (!WRAPPER.compareAndSet(null, w)) {
      throw new IllegalStateException("Tuple's wrapper is installed already");
    }
  }

  /** A tuple of {@code items} itself, which the caller must never change afterwards. */
  public static Tuple wrap(Object[] items) {
    if (items.length == 0) {
      return Tuple.of(); // also initializes Tuple, and so installs the wrapper
    }
    Function<Object[], Tuple> w = WRAPPER.get();
    if (w == null) {
      Tuple.of();
      w = WRAPPER.get();
    }
    return w.apply(items);
  }
}
