package io.rpyc.benchmarks;

import io.rpyc.Exposed;

/** The remote API the call benchmarks use. */
public interface Adder {
  /** Adds two ints. */
  @Exposed
  int add(int a, int b);
}
