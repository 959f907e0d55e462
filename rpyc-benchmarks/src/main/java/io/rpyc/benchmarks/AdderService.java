package io.rpyc.benchmarks;

import io.rpyc.Service;

/** Serves {@link Adder}. */
public class AdderService extends Service implements Adder {
  /** Creates the service. */
  public AdderService() {}

  @Override
  public int add(int a, int b) {
    return a + b;
  }
}
